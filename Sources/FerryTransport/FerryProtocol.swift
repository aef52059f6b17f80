/// Constants of Ferry's wire protocol that servers and clients must agree on.
public enum FerryProtocol {
    /// The ALPN protocol id of this protocol version (see `docs/PROTOCOL.md`).
    public static let alpn = "ferry/1"
}
