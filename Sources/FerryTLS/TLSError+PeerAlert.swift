internal import COpenSSLShims

extension OpenSSLErrorEntry {
    /// The TLS alert the peer sent, when this entry reports one (for example 48, `unknown_ca`).
    public var receivedAlert: UInt8? {
        let alert = COpenSSLShims_ERR_received_alert(code)
        return alert >= 0 ? UInt8(alert) : nil
    }
}

extension TLSError {
    /// The alerts with which a peer says it refused this side's certificate: `bad_certificate`
    /// (42), `unsupported_certificate` (43), `certificate_revoked` (44), `certificate_expired`
    /// (45), `certificate_unknown` (46), `unknown_ca` (48), `access_denied` (49) and
    /// `certificate_required` (116).
    public static let certificateRefusalAlerts: Set<UInt8> = [42, 43, 44, 45, 46, 48, 49, 116]

    /// The fatal alert the peer sent, if that is what ended the connection.
    public var peerAlert: UInt8? {
        underlying.lazy.compactMap(\.receivedAlert).first
    }

    /// Whether the peer ended the connection because it refused this side's certificate (or
    /// the lack of one).
    public var peerRefusedCertificate: Bool {
        peerAlert.map { Self.certificateRefusalAlerts.contains($0) } ?? false
    }
}
