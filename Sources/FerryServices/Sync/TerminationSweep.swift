import Logging
import ServiceLifecycle

/// Applies termination detection to every queued or in-progress storage once per `interval`
/// (the ping interval), so a sync whose worker died is settled within `stale_after` plus one
/// interval even when nobody lists it. Readers still apply the same rules as they read; the
/// store's compare-and-set writes each verdict once, whichever replica or reader gets there first.
struct TerminationSweep: Service {
    let enforcer: TerminationEnforcer
    let interval: Duration
    let logger: Logger

    /// Sweeps until graceful shutdown, then returns (a throw would cancel the whole service
    /// group before the store is closed).
    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            // Bounded by cancellation (graceful shutdown).
            while !Task.isCancelled {
                try await Task.sleep(for: interval)
                do {
                    try await enforcer.enforceActive()
                } catch is CancellationError {
                    return
                } catch {
                    logger.warning("Termination sweep failed; retrying next interval", metadata: ["error": "\(error)"])
                }
            }
        }
    }
}
