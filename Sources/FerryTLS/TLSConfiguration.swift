/// How a TLS endpoint is set up, in plain Swift: paths, versions, verification, ALPN.
///
/// Library-neutral on purpose: the mapping to OpenSSL happens in one place, ``TLSContext``.
public struct TLSConfiguration: Sendable {
    /// Which side of the handshake an endpoint plays.
    public enum Role: Sendable {
        /// Accepts connections.
        case server
        /// Opens connections.
        case client
    }

    /// Whether a server asks for client certificates.
    public enum ClientCertificateVerification: Sendable {
        /// Do not ask.
        case none
        /// Ask, and verify a certificate if one is presented.
        case optional
        /// Ask, and refuse the handshake without a valid certificate (mTLS).
        case required
    }

    /// A server's session tickets: clients that connect again resume their session (TLS 1.3 PSK
    /// with a fresh (EC)DHE exchange) instead of a full handshake with certificates.
    public struct SessionTickets: Sendable {
        /// Where the ticket keys come from (1-64 bytes): servers with the same secret, and the same
        /// server after a restart, accept each other's tickets. Keys rotate every `lifetime`.
        public var keySecret: [UInt8]
        /// How long a ticket stays valid (at most 7 days): a ticket resumes only while the
        /// certificate authentication behind it is at most this old. Its keys rotate this often.
        public var lifetime: Duration

        /// Creates ticket settings.
        public init(keySecret: [UInt8], lifetime: Duration) {
            self.keySecret = keySecret
            self.lifetime = lifetime
        }
    }

    /// A TLS protocol version.
    public enum Version: Sendable, Comparable {
        /// TLS 1.2.
        case tls12
        /// TLS 1.3.
        case tls13
    }

    /// The endpoint's role.
    public var role: Role
    /// PEM file with the endpoint's certificate, followed by any intermediates.
    public var certificateChainPath: String?
    /// PEM file with the private key of that certificate.
    public var privateKeyPath: String?
    /// PEM bundle of CA certificates used to verify the peer.
    public var trustRootsPath: String?
    /// For servers: whether client certificates are requested.
    public var clientCertificateVerification: ClientCertificateVerification
    /// The lowest protocol version accepted. TLS 1.3 is always preferred when both sides support it.
    public var minimumVersion: Version
    /// ALPN protocols, most preferred first. A server refuses clients that offer none of them.
    public var applicationProtocols: [String]
    /// How long a handshake may take before the connection is closed.
    public var handshakeTimeout: Duration
    /// How long to wait for the peer's close_notify after sending ours.
    public var shutdownTimeout: Duration
    /// Servers: the session tickets to issue; `nil` for none, so every handshake is a full one.
    public var sessionTickets: SessionTickets?
    /// Clients: offer the newest ticket the server sent when connecting again.
    public var resumesSessions: Bool

    /// A server configuration.
    ///
    /// - Parameters:
    ///   - certificateChainPath: PEM certificate chain.
    ///   - privateKeyPath: PEM private key.
    ///   - trustRootsPath: PEM CA bundle for client certificates.
    ///   - clientCertificateVerification: Whether client certificates are requested.
    ///   - applicationProtocols: ALPN protocols to accept.
    ///   - sessionTickets: The tickets to issue for resumption; `nil` for none.
    /// - Returns: The configuration, with TLS 1.2 minimum and 10-second handshake timeout.
    public static func server(
        certificateChainPath: String,
        privateKeyPath: String,
        trustRootsPath: String? = nil,
        clientCertificateVerification: ClientCertificateVerification = .none,
        applicationProtocols: [String],
        sessionTickets: SessionTickets? = nil
    ) -> TLSConfiguration {
        TLSConfiguration(
            role: .server,
            certificateChainPath: certificateChainPath,
            privateKeyPath: privateKeyPath,
            trustRootsPath: trustRootsPath,
            clientCertificateVerification: clientCertificateVerification,
            minimumVersion: .tls12,
            applicationProtocols: applicationProtocols,
            handshakeTimeout: .seconds(10),
            shutdownTimeout: .seconds(5),
            sessionTickets: sessionTickets,
            resumesSessions: false
        )
    }

    /// A client configuration. The server is always verified against `trustRootsPath` and the host name.
    ///
    /// - Parameters:
    ///   - trustRootsPath: PEM CA bundle that signs the server certificate.
    ///   - certificateChainPath: The client certificate for mTLS, if any.
    ///   - privateKeyPath: Its private key.
    ///   - applicationProtocols: ALPN protocols to offer.
    ///   - resumesSessions: Offer the newest session ticket when connecting again.
    /// - Returns: The configuration, with TLS 1.2 minimum and 10-second handshake timeout.
    public static func client(
        trustRootsPath: String,
        certificateChainPath: String? = nil,
        privateKeyPath: String? = nil,
        applicationProtocols: [String],
        resumesSessions: Bool = true
    ) -> TLSConfiguration {
        TLSConfiguration(
            role: .client,
            certificateChainPath: certificateChainPath,
            privateKeyPath: privateKeyPath,
            trustRootsPath: trustRootsPath,
            clientCertificateVerification: .none,
            minimumVersion: .tls12,
            applicationProtocols: applicationProtocols,
            handshakeTimeout: .seconds(10),
            shutdownTimeout: .seconds(5),
            sessionTickets: nil,
            resumesSessions: resumesSessions
        )
    }
}
