import FerryCore
import FerryCrypto
import FerryMapping
import FerryProto
import FerryRPC
import Logging

extension StorageService {
    /// How long a connection check may take, from posting it to the worker's answer.
    static let connectionCheckTimeout: Duration = .seconds(30)
    /// How long a check waits for a worker to take it (one that connects meanwhile can).
    static let connectionCheckTakeTimeout: Duration = .seconds(5)

    /// The platform's "check connection": a connected worker that offers the provider lists the
    /// location and reads its first object with `settings` and `secrets`, before anything is saved.
    ///
    /// - Throws: `UNAVAILABLE` when no connected worker offers the provider or none took the
    ///   check in time; `FAILED_PRECONDITION` naming the field and the provider's answer when the
    ///   check failed; `DEADLINE_EXCEEDED` when the worker took it but did not answer in time.
    func checkConnection(kind: StorageKind, settings: StorageSettings, secrets: StorageSecrets) async throws {
        let provider = settings.provider
        let probe = FerryV1.ConnectionProbe(
            id: "probe-" + SecureRandom.hexToken(byteCount: 8),
            storage: StorageSpecMapping.spec(kind: kind, settings: settings),
            credentials: secrets.revealedEntries().map { FerryV1.Secret(name: $0.name, value: $0.value) }
        )
        let result = await probes.run(
            probe, provider: provider, takeWithin: Self.connectionCheckTakeTimeout, timeout: Self.connectionCheckTimeout)
        switch result {
        case .answered(let answer, let worker) where answer.ok:
            logger.info(
                "Connection check passed",
                metadata: ["provider": "\(provider)", "worker": "\(worker)", "first_key": "\(answer.firstKey)"])
        case .answered(let answer, let worker):
            let field = answer.field.isEmpty ? "spec" : answer.field
            throw RPCError(
                code: .failedPrecondition,
                message: "\(field): the connection check on worker \(worker) failed: \(answer.error)"
            )
        case .notTaken:
            let why =
                workers.isOffered(kind: nil, provider: provider)
                ? "no worker took the check within \(Self.connectionCheckTakeTimeout)"
                : "no connected worker offers \(provider)"
            throw RPCError(
                code: .unavailable,
                message: "Cannot check the connection: \(why); start a worker that offers it, or save without validation")
        case .unanswered(let worker):
            throw RPCError(
                code: .deadlineExceeded,
                message: "The connection check on worker \(worker) did not answer within \(Self.connectionCheckTimeout)")
        }
    }
}
