import FerryRPC
import FerryTLS

extension RPCError {
    /// What the calls of a client connection see when it closed, given the error that closed it.
    ///
    /// `UNAVAILABLE`, which callers may retry, except when the server's TLS alert says it
    /// refused the client certificate (or the lack of one): that is `UNAUTHENTICATED`, because
    /// retrying with the same certificate cannot help.
    ///
    /// - Parameter cause: The error that closed the connection, if any.
    /// - Returns: The error.
    static func connectionClosed(by cause: (any Error)?) -> RPCError {
        guard let cause else {
            return RPCError(code: .unavailable, message: "The connection closed")
        }
        if let tls = cause as? TLSError, tls.peerRefusedCertificate {
            return RPCError(code: .unauthenticated, message: "The server refused the client certificate: \(tls)", cause: tls)
        }
        return RPCError(code: .unavailable, message: "The connection closed: \(cause)", cause: cause)
    }
}
