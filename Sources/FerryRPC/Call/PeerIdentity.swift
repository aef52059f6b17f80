/// Who is on the other end of a connection, as established by the transport.
///
/// For TLS connections with a verified client certificate, `subject` and the SANs are filled in;
/// handlers use them to authorise workers.
public struct PeerIdentity: Sendable, Hashable {
    /// The remote address, for logs, for example `127.0.0.1:53122`.
    public var address: String
    /// The verified client certificate's subject (one-line form), if a certificate was presented.
    public var certificateSubject: String?
    /// The verified client certificate's subject alternative names (`DNS:…`, `IP:…`, `URI:…`).
    public var certificateSANs: [String]

    /// Creates a peer identity.
    ///
    /// - Parameters:
    ///   - address: The remote address.
    ///   - certificateSubject: The verified certificate subject, if any.
    ///   - certificateSANs: The verified certificate's SANs.
    public init(address: String, certificateSubject: String? = nil, certificateSANs: [String] = []) {
        self.address = address
        self.certificateSubject = certificateSubject
        self.certificateSANs = certificateSANs
    }

    /// Whether the peer presented a certificate that the server verified.
    public var isCertificateVerified: Bool { certificateSubject != nil }
}
