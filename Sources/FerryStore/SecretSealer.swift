/// Encrypts storage secrets before they are written and decrypts them when they are read.
///
/// FerryStore keeps only sealed bytes: the plaintext of a storage's secrets never reaches the
/// database file. FerryStore links no cryptography library itself; the server injects a sealer.
/// In `ferryd` it is AES-256-GCM through OpenSSL with a key from the server's configuration: a
/// fresh random 96-bit nonce per seal, the output `version ‖ nonce ‖ ciphertext ‖ tag`, and the
/// associated data authenticated (not encrypted) so that a sealed value copied onto another
/// storage's row fails to open.
///
/// Implementations must be thread-safe: the store calls them from its database threads.
public protocol SecretSealer: Sendable {
    /// Encrypts and authenticates `plaintext`, binding it to `associatedData`.
    ///
    /// - Parameters:
    ///   - plaintext: The bytes to protect.
    ///   - associatedData: Context the ciphertext is bound to (FerryStore passes the storage id);
    ///     ``open(_:associatedData:)`` must be given the same bytes.
    /// - Returns: The sealed bytes, self-contained (nonce and tag included).
    /// - Throws: If encryption fails.
    func seal(_ plaintext: [UInt8], associatedData: [UInt8]) throws -> [UInt8]

    /// Authenticates and decrypts bytes made by ``seal(_:associatedData:)``.
    ///
    /// - Parameters:
    ///   - sealed: The sealed bytes.
    ///   - associatedData: The context given when sealing.
    /// - Returns: The plaintext.
    /// - Throws: If the bytes were altered, were sealed under another key, or were bound to other
    ///   associated data.
    func open(_ sealed: [UInt8], associatedData: [UInt8]) throws -> [UInt8]
}
