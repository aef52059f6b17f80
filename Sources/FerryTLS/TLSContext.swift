internal import COpenSSL
internal import COpenSSLShims

/// An OpenSSL `SSL_CTX` built from a ``TLSConfiguration``; the factory of connections.
///
/// Loading certificates and keys happens once, here, so a bad path or a key that does not match
/// its certificate fails at start-up with a clear ``TLSError`` rather than at the first handshake.
///
/// `@unchecked Sendable`: the `SSL_CTX` is fully configured in `init` and only read afterwards;
/// OpenSSL documents creating `SSL` objects from a shared, no-longer-mutated context as thread-safe.
public final class TLSContext: @unchecked Sendable {
    /// The configuration this context was built from.
    public let configuration: TLSConfiguration
    let context: OpaquePointer

    /// Builds a context.
    ///
    /// - Parameter configuration: What to load and how to verify peers.
    /// - Throws: ``TLSError`` with code `.configuration` when a file cannot be loaded or is invalid.
    public init(configuration: TLSConfiguration) throws {
        self.configuration = configuration
        OpenSSLErrorQueue.clear()
        let method = configuration.role == .server ? TLS_server_method() : TLS_client_method()
        guard let context = SSL_CTX_new(method) else {
            throw OpenSSLErrorQueue.error(.configuration, "Could not create an SSL_CTX")
        }
        self.context = context
        try configure()
    }

    deinit {
        SSL_CTX_free(context)
    }

    private func configure() throws {
        let minimum = configuration.minimumVersion == .tls13 ? TLS1_3_VERSION : TLS1_2_VERSION
        guard COpenSSLShims_SSL_CTX_set_min_proto_version(context, minimum) == 1 else {
            throw OpenSSLErrorQueue.error(.configuration, "Could not set the minimum TLS version")
        }
        // Idle connections give their OpenSSL record buffers back; Ferry keeps many idle workers connected.
        _ = COpenSSLShims_SSL_CTX_set_mode(context, Int(SSL_MODE_RELEASE_BUFFERS))
        _ = COpenSSLShims_SSL_CTX_set_options(
            context,
            COpenSSLShims_SSL_OP_NO_COMPRESSION | COpenSSLShims_SSL_OP_NO_RENEGOTIATION
                | COpenSSLShims_SSL_OP_CIPHER_SERVER_PREFERENCE
        )
        try configureSessionResumption()

        try loadIdentity()
        try loadTrustRoots()
        try configureVerification()
        try configureALPN()
    }

    /// Servers issue tickets only when configured to (without, nothing is kept for resumption);
    /// clients remember the newest ticket to offer it on their next connection.
    private func configureSessionResumption() throws {
        switch (configuration.role, configuration.sessionTickets) {
        case (.server, let tickets?):
            let seconds = tickets.lifetime.components.seconds
            guard (1...64).contains(tickets.keySecret.count), (1...604_800).contains(seconds) else {
                throw TLSError(
                    code: .configuration, message: "Session tickets need a 1-64 byte secret and a lifetime of 1 s to 7 days")
            }
            // Sessions resume only under the same verification, protocols and CA bundle.
            let sessionContext = Array(
                "\(configuration.clientCertificateVerification)|\(configuration.applicationProtocols.joined(separator: ","))".utf8)
            guard
                COpenSSLShims_SSL_CTX_enable_session_tickets(
                    context, tickets.keySecret, tickets.keySecret.count, UInt64(seconds), sessionContext, sessionContext.count,
                    configuration.trustRootsPath) == 1
            else {
                throw OpenSSLErrorQueue.error(.configuration, "Could not enable session tickets")
            }
        case (.client, _) where configuration.resumesSessions:
            guard COpenSSLShims_SSL_CTX_enable_client_sessions(context) == 1 else {
                throw OpenSSLErrorQueue.error(.configuration, "Could not enable session resumption")
            }
        default:
            SSL_CTX_set_num_tickets(context, 0)
            _ = COpenSSLShims_SSL_CTX_set_session_cache_mode(context, Int(SSL_SESS_CACHE_OFF))
        }
    }

    private func loadIdentity() throws {
        guard let chain = configuration.certificateChainPath else {
            if configuration.role == .server {
                throw TLSError(code: .configuration, message: "A server needs a certificate chain and a private key")
            }
            return
        }
        guard let key = configuration.privateKeyPath else {
            throw TLSError(code: .configuration, message: "Certificate '\(chain)' has no private key configured")
        }
        OpenSSLErrorQueue.clear()
        guard SSL_CTX_use_certificate_chain_file(context, chain) == 1 else {
            throw OpenSSLErrorQueue.error(.configuration, "Could not load the certificate chain '\(chain)'")
        }
        guard SSL_CTX_use_PrivateKey_file(context, key, SSL_FILETYPE_PEM) == 1 else {
            throw OpenSSLErrorQueue.error(.configuration, "Could not load the private key '\(key)'")
        }
        guard SSL_CTX_check_private_key(context) == 1 else {
            throw OpenSSLErrorQueue.error(.configuration, "The private key '\(key)' does not match '\(chain)'")
        }
    }

    private func loadTrustRoots() throws {
        guard let roots = configuration.trustRootsPath else {
            if configuration.role == .client || configuration.clientCertificateVerification != .none {
                throw TLSError(code: .configuration, message: "Verifying peers needs a CA bundle (trust roots)")
            }
            return
        }
        OpenSSLErrorQueue.clear()
        guard SSL_CTX_load_verify_locations(context, roots, nil) == 1 else {
            throw OpenSSLErrorQueue.error(.configuration, "Could not load the CA bundle '\(roots)'")
        }
        if configuration.role == .server, let names = SSL_load_client_CA_file(roots) {
            SSL_CTX_set_client_CA_list(context, names)  // The context takes ownership of the list.
        }
    }

    private func configureVerification() throws {
        let mode: Int32
        switch (configuration.role, configuration.clientCertificateVerification) {
        case (.client, _):
            mode = SSL_VERIFY_PEER
        case (.server, .none):
            mode = SSL_VERIFY_NONE
        case (.server, .optional):
            mode = SSL_VERIFY_PEER
        case (.server, .required):
            mode = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT
        }
        SSL_CTX_set_verify(context, mode, nil)
    }

    private func configureALPN() throws {
        guard !configuration.applicationProtocols.isEmpty else { return }
        var wire: [UInt8] = []
        for name in configuration.applicationProtocols {
            let bytes = Array(name.utf8)
            guard !bytes.isEmpty, bytes.count <= 255 else {
                throw TLSError(code: .configuration, message: "Invalid ALPN protocol name '\(name)'")
            }
            wire.append(UInt8(bytes.count))
            wire.append(contentsOf: bytes)
        }
        switch configuration.role {
        case .client:
            // Unlike most of OpenSSL, this returns 0 on success.
            guard SSL_CTX_set_alpn_protos(context, wire, UInt32(wire.count)) == 0 else {
                throw OpenSSLErrorQueue.error(.configuration, "Could not set ALPN protocols")
            }
        case .server:
            COpenSSLShims_SSL_CTX_require_alpn(context, wire, UInt32(wire.count))
        }
    }
}
