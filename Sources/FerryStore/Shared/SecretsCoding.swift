import FerryCore
import Foundation

/// Turns ``StorageSecrets`` into sealed bytes for the `storages.secrets_sealed` column and back.
///
/// The plaintext is a JSON object of names to values; it exists only in memory, between the caller
/// and the ``SecretSealer``. The sealed bytes are bound to the storage id (associated data), so
/// copying them onto another storage's row makes them fail to open.
struct SecretsCoding: Sendable {
    let sealer: any SecretSealer

    /// The sealed bytes and the JSON list of names to store; `nil` bytes for no secrets.
    func seal(_ secrets: StorageSecrets, storageID: Int64) throws -> (sealed: [UInt8]?, names: String) {
        let names = Self.encodeNames(secrets.names)
        guard !secrets.isEmpty else { return (nil, names) }
        var values: [String: String] = [:]
        for entry in secrets.revealedEntries() {
            values[entry.name] = entry.value
        }
        do {
            let plaintext = Array(try JSONEncoder().encode(values))
            return (try self.sealer.seal(plaintext, associatedData: Self.associatedData(storageID)), names)
        } catch {
            // The cause may be the sealer's; it never carries the plaintext.
            throw StoreError(
                code: .corrupt,
                message: "The secrets of storage \(storageID) cannot be sealed.",
                cause: error
            )
        }
    }

    /// Opens sealed bytes; `nil` bytes are no secrets.
    func open(_ sealed: [UInt8]?, storageID: Int64) throws -> StorageSecrets {
        guard let sealed else { return .none }
        let plaintext: [UInt8]
        do {
            plaintext = try self.sealer.open(sealed, associatedData: Self.associatedData(storageID))
        } catch {
            throw StoreError(
                code: .corrupt,
                message: "The secrets of storage \(storageID) cannot be opened (wrong key, or altered data).",
                cause: error
            )
        }
        // No cause here: a decoding error could quote fragments of the plaintext.
        guard let values = try? JSONDecoder().decode([String: String].self, from: Data(plaintext)) else {
            throw StoreError.corrupt("The secrets of storage \(storageID) opened but are not a name/value object.")
        }
        return StorageSecrets(values)
    }

    /// The secrets to store after an update, or `nil` to leave the stored ones untouched.
    ///
    /// - Parameters:
    ///   - update: The caller's update.
    ///   - stored: The sealed secrets stored now (opened only for a merge).
    ///   - storageID: The storage they belong to.
    func resolve(_ update: SecretsUpdate, stored: [UInt8]?, storageID: Int64) throws -> StorageSecrets? {
        switch update {
        case .keep:
            return nil
        case .merge(let secrets) where secrets.isEmpty:
            return nil
        case .merge(let secrets):
            return try self.open(stored, storageID: storageID).updated(with: secrets)
        case .replaceAll(let secrets):
            return secrets
        }
    }

    static func encodeNames(_ names: [String]) -> String {
        let data = (try? JSONEncoder().encode(names.sorted())) ?? Data("[]".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    static func decodeNames(_ text: String) throws -> [String] {
        do {
            return try decodedNames.value(for: text) { try JSONDecoder().decode([String].self, from: Data($0.utf8)) }
        } catch {
            throw StoreError.corrupt("Stored secret names cannot be decoded.", cause: error)
        }
    }

    /// Name lists already decoded (storages of one provider mostly share theirs).
    private static let decodedNames = DecodedTextMemo<[String]>(limit: 1_000)

    private static func associatedData(_ storageID: Int64) -> [UInt8] {
        Array("ferry.storage-secrets.v1:\(storageID)".utf8)
    }
}
