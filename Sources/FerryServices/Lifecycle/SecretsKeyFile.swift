import FerryCrypto
import FerrySettings
public import FerryStore
import Foundation

/// Seals storage secrets with AES-256-GCM, bound to where each secret is stored.
public struct AESSecretSealer: SecretSealer {
    private let box: SecretBox

    /// Creates a sealer.
    ///
    /// - Parameter key: 32 bytes.
    /// - Throws: `CryptoError` for a key of another size.
    public init(key: [UInt8]) throws {
        self.box = try SecretBox(key: key)
    }

    public func seal(_ plaintext: [UInt8], associatedData: [UInt8]) throws -> [UInt8] {
        try box.seal(plaintext, associatedData: associatedData)
    }

    public func open(_ sealed: [UInt8], associatedData: [UInt8]) throws -> [UInt8] {
        try box.open(sealed, associatedData: associatedData)
    }
}

/// The file holding the key that seals secrets: 64 hex digits, readable by the server alone.
public enum SecretsKeyFile {
    /// Reads the key, creating the file with a fresh random key (mode 0600) if it does not exist.
    ///
    /// - Parameter path: The key file.
    /// - Returns: The 32-byte key.
    /// - Throws: ``SettingsError`` when the file exists but is not a key, or cannot be written.
    public static func loadOrCreate(at path: String) throws -> [UInt8] {
        if FileManager.default.fileExists(atPath: path) {
            return try load(at: path)
        }
        let key = SecureRandom.bytes(32)
        let created = FileManager.default.createFile(
            atPath: path,
            contents: Data((Hex.encode(key) + "\n").utf8),
            attributes: [.posixPermissions: 0o600]
        )
        guard created else {
            throw SettingsError(key: "secrets.keyFile", message: "cannot create '\(path)'")
        }
        return key
    }

    /// Reads the key of a file that must exist: replicas sharing a database must seal with one
    /// key, so none of them may make its own.
    ///
    /// - Parameter path: The key file.
    /// - Returns: The 32-byte key.
    /// - Throws: ``SettingsError`` when the file is missing or is not a key.
    public static func load(at path: String) throws -> [UInt8] {
        guard FileManager.default.fileExists(atPath: path) else {
            throw SettingsError(
                key: "secrets.keyFile",
                message: "'\(path)' does not exist; every replica needs the same key (make it once: openssl rand -hex 32)")
        }
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        guard let key = Hex.decode(text.trimmingCharacters(in: .whitespacesAndNewlines)), key.count == 32 else {
            throw SettingsError(key: "secrets.keyFile", message: "'\(path)' must hold 64 hex digits")
        }
        return key
    }
}
