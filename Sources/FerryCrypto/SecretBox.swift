internal import COpenSSL

/// Seals secrets at rest with AES-256-GCM under one key.
///
/// A sealed value is `version (1 byte) ‖ nonce (12) ‖ ciphertext ‖ tag (16)`. Each seal uses a
/// fresh random nonce, so sealing the same secret twice gives different bytes. Associated data
/// (for example the storage id and secret name) binds a sealed value to its place, so it cannot
/// be copied to another row and opened there.
public struct SecretBox: Sendable {
    private static let version: UInt8 = 1
    private static let nonceSize = 12
    private static let tagSize = 16

    private let key: [UInt8]

    /// Creates a box.
    ///
    /// - Parameter key: 32 bytes.
    /// - Throws: ``CryptoError`` `.invalidKey` for any other length.
    public init(key: [UInt8]) throws {
        guard key.count == 32 else {
            throw CryptoError(code: .invalidKey, message: "An AES-256 key must be 32 bytes, not \(key.count)")
        }
        self.key = key
    }

    /// Encrypts and authenticates a value.
    ///
    /// - Parameters:
    ///   - plaintext: The secret.
    ///   - associatedData: Context the value is bound to.
    /// - Returns: The sealed bytes.
    /// - Throws: ``CryptoError`` `.library` if OpenSSL fails.
    public func seal(_ plaintext: [UInt8], associatedData: [UInt8] = []) throws -> [UInt8] {
        let nonce = SecureRandom.bytes(Self.nonceSize)
        let context = try CipherContext()
        guard EVP_EncryptInit_ex(context.pointer, EVP_aes_256_gcm(), nil, key, nonce) == 1 else {
            throw CryptoError(code: .library, message: "Could not start AES-256-GCM encryption")
        }
        try context.addAssociatedData(associatedData, encrypting: true)
        var ciphertext = [UInt8](repeating: 0, count: plaintext.count)
        var length: Int32 = 0
        if !plaintext.isEmpty {
            guard EVP_EncryptUpdate(context.pointer, &ciphertext, &length, plaintext, Int32(plaintext.count)) == 1
            else { throw CryptoError(code: .library, message: "AES-256-GCM encryption failed") }
        }
        var final = [UInt8](repeating: 0, count: 16)
        guard EVP_EncryptFinal_ex(context.pointer, &final, &length) == 1 else {
            throw CryptoError(code: .library, message: "AES-256-GCM encryption failed")
        }
        var tag = [UInt8](repeating: 0, count: Self.tagSize)
        guard EVP_CIPHER_CTX_ctrl(context.pointer, EVP_CTRL_GCM_GET_TAG, Int32(Self.tagSize), &tag) == 1 else {
            throw CryptoError(code: .library, message: "Could not read the GCM tag")
        }
        return [Self.version] + nonce + ciphertext + tag
    }

    /// Checks and decrypts a sealed value.
    ///
    /// - Parameters:
    ///   - sealed: Bytes from ``seal(_:associatedData:)``.
    ///   - associatedData: The same context given when sealing.
    /// - Returns: The secret.
    /// - Throws: ``CryptoError`` `.malformedInput` or `.authenticationFailed`.
    public func open(_ sealed: [UInt8], associatedData: [UInt8] = []) throws -> [UInt8] {
        guard sealed.count >= 1 + Self.nonceSize + Self.tagSize, sealed[0] == Self.version else {
            throw CryptoError(code: .malformedInput, message: "Not a sealed value of a known version")
        }
        let nonce = Array(sealed[1..<(1 + Self.nonceSize)])
        let ciphertext = Array(sealed[(1 + Self.nonceSize)..<(sealed.count - Self.tagSize)])
        var tag = Array(sealed[(sealed.count - Self.tagSize)...])
        let context = try CipherContext()
        guard EVP_DecryptInit_ex(context.pointer, EVP_aes_256_gcm(), nil, key, nonce) == 1 else {
            throw CryptoError(code: .library, message: "Could not start AES-256-GCM decryption")
        }
        try context.addAssociatedData(associatedData, encrypting: false)
        var plaintext = [UInt8](repeating: 0, count: ciphertext.count)
        var length: Int32 = 0
        if !ciphertext.isEmpty {
            guard EVP_DecryptUpdate(context.pointer, &plaintext, &length, ciphertext, Int32(ciphertext.count)) == 1
            else { throw CryptoError(code: .authenticationFailed, message: "The sealed value does not open") }
        }
        guard EVP_CIPHER_CTX_ctrl(context.pointer, EVP_CTRL_GCM_SET_TAG, Int32(Self.tagSize), &tag) == 1 else {
            throw CryptoError(code: .library, message: "Could not set the GCM tag")
        }
        var final = [UInt8](repeating: 0, count: 16)
        guard EVP_DecryptFinal_ex(context.pointer, &final, &length) == 1 else {
            throw CryptoError(code: .authenticationFailed, message: "The sealed value was altered or sealed under another key")
        }
        return plaintext
    }
}

/// Owns one `EVP_CIPHER_CTX`, freed when the value goes away.
private final class CipherContext {
    let pointer: OpaquePointer

    init() throws {
        guard let pointer = EVP_CIPHER_CTX_new() else {
            throw CryptoError(code: .library, message: "Could not allocate a cipher context")
        }
        self.pointer = pointer
    }

    deinit {
        EVP_CIPHER_CTX_free(pointer)
    }

    func addAssociatedData(_ data: [UInt8], encrypting: Bool) throws {
        guard !data.isEmpty else { return }
        var length: Int32 = 0
        let ok =
            encrypting
            ? EVP_EncryptUpdate(pointer, nil, &length, data, Int32(data.count))
            : EVP_DecryptUpdate(pointer, nil, &length, data, Int32(data.count))
        guard ok == 1 else { throw CryptoError(code: .library, message: "Could not add associated data") }
    }
}
