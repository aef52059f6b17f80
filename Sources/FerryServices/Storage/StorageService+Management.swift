import FerryMapping
import FerryCore
import FerryProto
import FerryRPC
import FerryStore
import Foundation
import Logging

extension StorageService {
    @Sendable
    func create(_ request: FerryV1.CreateStorageRequest, _ context: ServerContext) async throws
        -> FerryV1.CreateStorageResponse
    {
        guard let spec = request.spec else {
            throw RPCError(code: .invalidArgument, message: "spec: required")
        }
        let (kind, settings) = try StorageSpecMapping.settings(from: spec)
        let secrets = try Self.secrets(request.credentials)
        try validator.checkCreate(kind: kind, provider: settings.provider, settings: settings, secrets: secrets)
        try checkLocalPathOnDisk(settings)
        try await checkExportOverlap(kind: kind, settings: settings)
        if request.validate {
            try await checkConnection(kind: kind, settings: settings, secrets: secrets)
        }
        let storage = try await store.createStorage(kind: kind, settings: settings, secrets: secrets, now: clock.now())
        logger.info(
            "Storage created",
            metadata: ["storage": "\(storage.id)", "kind": "\(kind)", "provider": "\(settings.provider)",
                       "by": "\(Principal.current?.description ?? "?")"]
        )
        return FerryV1.CreateStorageResponse(storage: wire(storage))
    }

    @Sendable
    func get(_ request: FerryV1.GetStorageRequest, _ context: ServerContext) async throws -> FerryV1.GetStorageResponse {
        FerryV1.GetStorageResponse(storage: wire(try await enforcer.storage(id: request.id)))
    }

    @Sendable
    func update(_ request: FerryV1.UpdateStorageRequest, _ context: ServerContext) async throws
        -> FerryV1.UpdateStorageResponse
    {
        guard let spec = request.spec else {
            throw RPCError(code: .invalidArgument, message: "spec: required")
        }
        let mask = try StorageSpecMask(request.updateMask)
        let existing = try await store.storage(id: request.id)
        let current = StorageSpecMapping.spec(kind: existing.kind, settings: existing.settings)
        let (kind, settings) = try StorageSpecMapping.settings(from: mask.apply(spec, to: current))
        guard kind == existing.kind else {
            throw RPCError(code: .invalidArgument, message: "spec.kind: cannot change after creation")
        }
        let secrets = try Self.secrets(request.credentials)
        try validator.checkUpdate(of: existing, provider: settings.provider, settings: settings, secrets: secrets)
        try checkLocalPathOnDisk(settings)
        try await checkExportOverlap(kind: kind, settings: settings, id: existing.id)
        let update: SecretsUpdate =
            request.clearCredentials ? .replaceAll(secrets) : (secrets.isEmpty ? .keep : .merge(secrets))
        if request.validate {
            let stored = request.clearCredentials ? StorageSecrets.none : try await store.secrets(of: existing.id)
            try await checkConnection(kind: kind, settings: settings, secrets: stored.updated(with: secrets))
        }
        let storage = try await store.updateStorage(
            id: request.id,
            settings: settings,
            secrets: update,
            expectedRevision: request.expectedRevision == 0 ? nil : request.expectedRevision,
            now: clock.now()
        )
        return FerryV1.UpdateStorageResponse(storage: wire(storage))
    }

    @Sendable
    func delete(_ request: FerryV1.DeleteStorageRequest, _ context: ServerContext) async throws
        -> FerryV1.DeleteStorageResponse
    {
        let deletion = try await store.deleteStorage(id: request.id, force: request.force)
        logger.info(
            "Storage deleted",
            metadata: ["storage": "\(deletion.storageID)", "stopped_job": "\(deletion.activeJobID ?? "none")"]
        )
        return FerryV1.DeleteStorageResponse()
    }

    /// Secrets from a request; a name given twice is refused rather than silently picked.
    static func secrets(_ credentials: [FerryV1.Secret]) throws -> StorageSecrets {
        var values: [String: String] = [:]
        for credential in credentials {
            guard values.updateValue(credential.value, forKey: credential.name) == nil else {
                throw RPCError(code: .invalidArgument, message: "credentials.\(credential.name): given twice")
            }
        }
        return StorageSecrets(values)
    }

    /// Local paths were checked lexically by the validator; on disk a symlink could still point
    /// outside the root, so the resolved path must stay under the resolved root.
    func checkLocalPathOnDisk(_ settings: StorageSettings) throws {
        guard case .local(let location) = settings.location, let root = validator.configuration.localFilesRoot else {
            return
        }
        let lexical = try root.resolve(location.path)
        let resolvedRoot = URL(fileURLWithPath: root.path).resolvingSymlinksInPath().path
        let resolved = URL(fileURLWithPath: lexical).resolvingSymlinksInPath().path
        guard resolved == resolvedRoot || resolved.hasPrefix(resolvedRoot + "/") else {
            throw RPCError(code: .invalidArgument, message: "local.path: resolves outside the local-files root")
        }
    }
}
