/// A user event fired once the handshake has completed, with what was negotiated and who the
/// peer is. It follows NIO's `TLSUserEvent.handshakeCompleted`, which is fired too.
public struct TLSHandshakeCompleted: Sendable, Hashable {
    /// The ALPN protocol agreed on, if any.
    public var negotiatedProtocol: String?
    /// The protocol version, for example `TLSv1.3`.
    public var version: String
    /// The verified peer certificate's subject, if the peer presented one.
    public var peerSubject: String?
    /// The verified peer certificate's subject alternative names (`DNS:…`, `IP:…`, `URI:…`).
    public var peerSANs: [String]
    /// Whether an earlier session was resumed with a ticket (the peer's certificate is the one
    /// that session was made with).
    public var resumed: Bool
}
