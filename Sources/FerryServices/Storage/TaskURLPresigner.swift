import FerryCore
import FerryProto
import FerryProviders
import FerryStore
import Foundation

/// Resolves the provider URIs in task data (`s3://bucket/key`, `gs://…`, `azure-blob://…`) to
/// presigned HTTPS URLs for tasks imported from a storage with `presign` on, signed with that
/// storage's credentials and valid for its `presign_ttl` (15 minutes when unset). A string is
/// resolved when it names an object of the task's own storage; everything else is left as it is.
///
/// One presigner serves one ListTasks call: storages and their secrets are read once per call.
struct TaskURLPresigner {
    /// How long a presigned URL stays valid when the storage does not say.
    static let defaultTTL: FerryDuration = .seconds(15 * 60)

    private let store: any FerryStore
    private let registry: ProviderRegistry
    private let now: FerryTime
    /// Per storage id: its presigning store and TTL, or `nil` when it does not presign.
    private var signers: [Int64: (store: any PresigningStore, ttl: FerryDuration)?] = [:]

    init(store: any FerryStore, registry: ProviderRegistry, now: FerryTime) {
        self.store = store
        self.registry = registry
        self.now = now
    }

    /// The task, with its data's URIs presigned when its storage asks for it.
    mutating func resolve(_ task: FerryV1.Task) async throws -> FerryV1.Task {
        guard let storageID = task.sources.first?.storageID, let signer = try await signer(for: storageID) else {
            return task
        }
        guard let data = task.dataJSON.data(using: .utf8),
            let object = try? JSONSerialization.jsonObject(with: data)
        else { return task }
        var changed = false
        let resolved = try Self.map(object) { string -> String? in
            guard let key = signer.store.key(forBlobURL: string) else { return nil }
            changed = true
            return try signer.store.presignedURL(for: key, expiresIn: signer.ttl, now: now)
        }
        guard changed,
            let encoded = try? JSONSerialization.data(withJSONObject: resolved, options: [.withoutEscapingSlashes, .sortedKeys])
        else { return task }
        var presigned = task
        presigned.dataJSON = String(decoding: encoded, as: UTF8.self)
        return presigned
    }

    private mutating func signer(for storageID: Int64) async throws -> (store: any PresigningStore, ttl: FerryDuration)? {
        if let known = signers[storageID] { return known }
        var signer: (store: any PresigningStore, ttl: FerryDuration)?
        if let storage = try? await store.storage(id: storageID), storage.settings.presign {
            let secrets = try await store.secrets(of: storageID)
            let opened = try? registry.store(for: ProviderTarget(settings: storage.settings, secrets: secrets))
            if let presigning = opened as? any PresigningStore {
                signer = (presigning, storage.settings.presignTTL ?? Self.defaultTTL)
            }
        }
        signers[storageID] = signer
        return signer
    }

    /// `value` with every string `transform` answers for replaced, through objects and lists.
    private static func map(_ value: Any, _ transform: (String) throws -> String?) rethrows -> Any {
        switch value {
        case let string as String:
            return try transform(string) ?? string
        case let list as [Any]:
            return try list.map { try map($0, transform) }
        case let object as [String: Any]:
            return try object.mapValues { try map($0, transform) }
        default:
            return value
        }
    }
}
