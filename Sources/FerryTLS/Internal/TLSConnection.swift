internal import COpenSSL
internal import COpenSSLShims
import NIOCore

/// The outcome of one non-blocking TLS step.
enum TLSStepResult {
    /// The step finished.
    case complete
    /// OpenSSL needs more bytes from the peer (or must send some) before it can go on.
    case incomplete
    /// The peer closed the TLS session with close_notify.
    case closed
    /// The step failed for good.
    case failed(TLSError)
}

/// One TLS session: owns an `SSL*` and its two memory BIOs, and offers non-blocking steps.
///
/// Ciphertext from the network goes in with ``feedCiphertext(_:)`` and ciphertext for the network
/// comes out with ``takeCiphertext(into:)``; OpenSSL never touches a socket. Not thread-safe:
/// a connection belongs to one channel handler on one event loop.
final class TLSConnection {
    private let ssl: OpaquePointer
    /// Network → OpenSSL. Owned by `ssl`.
    private let inboundBIO: OpaquePointer
    /// OpenSSL → network. Owned by `ssl`.
    private let outboundBIO: OpaquePointer
    /// Keeps the context alive as long as the session that refers to it.
    private let context: TLSContext

    init(context: TLSContext, serverHostname: String?) throws {
        OpenSSLErrorQueue.clear()
        guard let ssl = SSL_new(context.context) else {
            throw OpenSSLErrorQueue.error(.configuration, "Could not create an SSL session")
        }
        guard let inbound = BIO_new(BIO_s_mem()), let outbound = BIO_new(BIO_s_mem()) else {
            SSL_free(ssl)
            throw OpenSSLErrorQueue.error(.configuration, "Could not create memory BIOs")
        }
        // An empty inbound BIO means "wait for more", not end of file.
        _ = COpenSSLShims_BIO_set_mem_eof_return(inbound, -1)
        _ = COpenSSLShims_BIO_set_mem_eof_return(outbound, -1)
        SSL_set_bio(ssl, inbound, outbound)
        self.ssl = ssl
        self.inboundBIO = inbound
        self.outboundBIO = outbound
        self.context = context

        switch context.configuration.role {
        case .server:
            SSL_set_accept_state(ssl)
        case .client:
            SSL_set_connect_state(ssl)
            try verifyServer(named: serverHostname)
            if context.configuration.resumesSessions {
                _ = COpenSSLShims_SSL_offer_cached_session(ssl)
            }
        }
    }

    deinit {
        SSL_free(ssl)  // Frees both BIOs too.
    }

    private func verifyServer(named hostname: String?) throws {
        guard let hostname, !hostname.isEmpty else {
            throw TLSError(code: .configuration, message: "A client must name the server it verifies")
        }
        let param = SSL_get0_param(ssl)
        if Self.isIPAddress(hostname) {
            guard X509_VERIFY_PARAM_set1_ip_asc(param, hostname) == 1 else {
                throw OpenSSLErrorQueue.error(.configuration, "Invalid server address '\(hostname)'")
            }
        } else {
            guard SSL_set1_host(ssl, hostname) == 1,
                COpenSSLShims_SSL_set_tlsext_host_name(ssl, hostname) == 1
            else {
                throw OpenSSLErrorQueue.error(.configuration, "Invalid server host name '\(hostname)'")
            }
        }
    }

    private static func isIPAddress(_ host: String) -> Bool {
        host.contains(":") || host.split(separator: ".").count == 4 && host.allSatisfy { $0.isNumber || $0 == "." }
    }

    // MARK: Steps

    /// Advances the handshake.
    func doHandshake() -> TLSStepResult {
        OpenSSLErrorQueue.clear()
        let result = SSL_do_handshake(ssl)
        return result == 1 ? .complete : classify(result, failure: .handshakeFailed, "The TLS handshake failed")
    }

    /// Hands ciphertext received from the network to OpenSSL.
    func feedCiphertext(_ buffer: ByteBuffer) {
        buffer.withUnsafeReadableBytes { bytes in
            guard let base = bytes.baseAddress, bytes.count > 0 else { return }
            // A memory BIO grows as needed and takes everything in one call.
            let written = BIO_write(inboundBIO, base, Int32(bytes.count))
            precondition(written == Int32(bytes.count), "memory BIO refused input")
        }
    }

    /// Decrypts what is available into `buffer`.
    ///
    /// - Returns: `.incomplete` once everything available has been decrypted, `.closed` on
    ///   close_notify, `.failed` on a protocol error. Never `.complete`.
    func readPlaintext(into buffer: inout ByteBuffer) -> TLSStepResult {
        // Bounded: each pass either decrypts bytes (the inbound BIO shrinks) or returns.
        while true {
            OpenSSLErrorQueue.clear()
            var result: Int32 = 0
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: 4096) { space in
                result = SSL_read(ssl, space.baseAddress, Int32(clamping: space.count))
                return Int(max(result, 0))  // The buffer only advances by bytes actually decrypted.
            }
            if result <= 0 {
                return classify(result, failure: .readFailed, "Could not decrypt data from the peer")
            }
        }
    }

    /// Encrypts `buffer` into the outbound BIO.
    func writePlaintext(_ buffer: ByteBuffer) -> TLSStepResult {
        guard buffer.readableBytes > 0 else { return .complete }
        OpenSSLErrorQueue.clear()
        let written = buffer.withUnsafeReadableBytes { bytes in
            SSL_write(ssl, bytes.baseAddress, Int32(bytes.count))
        }
        // Memory BIOs never push back, so a write is either whole or an error.
        return written > 0 ? .complete : classify(written, failure: .writeFailed, "Could not encrypt data")
    }

    /// Starts the TLS close: queues close_notify.
    func shutdown() -> TLSStepResult {
        OpenSSLErrorQueue.clear()
        let result = SSL_shutdown(ssl)
        return result >= 0 ? .complete : classify(result, failure: .protocolError, "TLS shutdown failed")
    }

    /// Whether ciphertext is waiting to be sent.
    var hasCiphertext: Bool { COpenSSLShims_BIO_ctrl_pending(outboundBIO) > 0 }

    /// Moves all pending ciphertext into `buffer`.
    func takeCiphertext(into buffer: inout ByteBuffer) {
        // Bounded: the pending count shrinks by what each read returns.
        var pending = COpenSSLShims_BIO_ctrl_pending(outboundBIO)
        while pending > 0 {
            let read = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: pending) { space in
                Int(BIO_read(outboundBIO, space.baseAddress, Int32(clamping: space.count)))
            }
            precondition(read > 0, "memory BIO reported pending bytes but returned none")
            pending = COpenSSLShims_BIO_ctrl_pending(outboundBIO)
        }
    }

    /// Maps `SSL_get_error` to a step result: the one translation point for OpenSSL errors.
    private func classify(_ result: Int32, failure: TLSError.Code, _ message: String) -> TLSStepResult {
        switch SSL_get_error(ssl, result) {
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
            return .incomplete
        case SSL_ERROR_ZERO_RETURN:
            return .closed
        case SSL_ERROR_SSL where failure == .handshakeFailed:
            let verify = SSL_get_verify_result(ssl)
            if verify != X509_V_OK, let reason = X509_verify_cert_error_string(verify) {
                var error = OpenSSLErrorQueue.error(failure, message)
                error.message += ": " + String(cString: reason)
                return .failed(error)
            }
            return .failed(OpenSSLErrorQueue.error(failure, message))
        default:
            return .failed(OpenSSLErrorQueue.error(failure, message))
        }
    }

    // MARK: Negotiated parameters

    /// The ALPN protocol both sides agreed on, if any.
    var negotiatedProtocol: String? {
        var data: UnsafePointer<UInt8>?
        var length: UInt32 = 0
        SSL_get0_alpn_selected(ssl, &data, &length)
        guard let data, length > 0 else { return nil }
        return String(decoding: UnsafeBufferPointer(start: data, count: Int(length)), as: UTF8.self)
    }

    /// Whether the handshake resumed an earlier session (no certificates were exchanged).
    var resumedSession: Bool {
        SSL_session_reused(ssl) == 1
    }

    /// The protocol version in use, for example `TLSv1.3`.
    var negotiatedVersion: String {
        String(cString: SSL_get_version(ssl))
    }

    /// The verified peer certificate's subject and SANs, if the peer presented one.
    var verifiedPeer: (subject: String, sans: [String])? {
        guard SSL_get_verify_result(ssl) == X509_V_OK, let certificate = SSL_get1_peer_certificate(ssl) else {
            return nil
        }
        defer { X509_free(certificate) }
        return (Self.subject(of: certificate), Self.subjectAlternativeNames(of: certificate))
    }

    private static func subject(of certificate: OpaquePointer) -> String {
        guard let name = X509_get_subject_name(certificate),
            let text = X509_NAME_oneline(name, nil, 0)
        else { return "" }
        defer { CRYPTO_free(text, #fileID, #line) }
        return String(cString: text)
    }

    private static func subjectAlternativeNames(of certificate: OpaquePointer) -> [String] {
        guard let raw = X509_get_ext_d2i(certificate, NID_subject_alt_name, nil, nil) else { return [] }
        let names = OpaquePointer(raw)
        defer { COpenSSLShims_GENERAL_NAMES_free(names) }
        var result: [String] = []
        var text = [CChar](repeating: 0, count: 512)
        for index in 0..<COpenSSLShims_sk_GENERAL_NAME_num(names) {
            guard let name = COpenSSLShims_sk_GENERAL_NAME_value(names, index) else { continue }
            let length = COpenSSLShims_GENERAL_NAME_print(name, &text, Int32(text.count))
            if length > 0 {
                result.append(String(decoding: text[..<Int(length)].map { UInt8(bitPattern: $0) }, as: UTF8.self))
            }
        }
        return result
    }
}
