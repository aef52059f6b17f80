public import FerryCore
import Metrics

/// When and how soon a failed provider request is tried again: exponential backoff with full
/// jitter (each wait is drawn uniformly from zero to the capped exponential bound), for a fixed
/// number of attempts.
///
/// Retried: connection errors (refused, reset, timed out), 5xx, 429, and the S3 error codes
/// `SlowDown` and `RequestTimeout` whatever their status. Never retried: authentication and
/// authorization failures (401, 403) and every other 4xx, which would fail the same way again.
public struct RetryPolicy: Sendable {
    /// The default number of attempts, the first included.
    public static let defaultMaxAttempts = 4

    /// The most attempts, the first included (at least 1).
    public var maxAttempts: Int
    /// The bound of the first wait.
    public var baseDelay: Duration
    /// No wait is longer than this.
    public var maxDelay: Duration

    /// Creates a policy.
    ///
    /// - Parameters:
    ///   - maxAttempts: The most attempts, the first included (at least 1).
    ///   - baseDelay: The bound of the first wait; each later bound doubles.
    ///   - maxDelay: The cap on every bound.
    public init(
        maxAttempts: Int = RetryPolicy.defaultMaxAttempts,
        baseDelay: Duration = .milliseconds(200),
        maxDelay: Duration = .seconds(5)
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// Service error codes that mean "slow down" or "try again" whatever the HTTP status.
    static let retryableServiceCodes: Set<String> = ["SlowDown", "RequestTimeout"]

    /// Whether a failure is worth another attempt.
    ///
    /// - Parameter failure: What the attempt ended with.
    /// - Returns: `true` for connection errors, 5xx, 429 and throttling codes; `false` otherwise.
    public func isRetryable(_ failure: HTTPAttemptFailure.Kind) -> Bool {
        switch failure {
        case .connection:
            return true
        case .status(let status, let serviceCode):
            if status == 401 || status == 403 { return false }
            if let serviceCode, Self.retryableServiceCodes.contains(serviceCode) { return true }
            return status == 429 || (500...599).contains(status)
        }
    }

    /// The wait before attempt `attempt + 1`, after `attempt` attempts failed: uniform in
    /// `0 ... min(maxDelay, baseDelay * 2^(attempt-1))`.
    ///
    /// - Parameters:
    ///   - attempt: How many attempts have failed (1 after the first).
    ///   - unitRandom: Returns a number in `0...1`; tests inject a fixed one.
    /// - Returns: The wait.
    public func delay(afterAttempt attempt: Int, unitRandom: () -> Double = { Double.random(in: 0...1) }) -> Duration {
        let bound = self.bound(afterAttempt: attempt)
        let fraction = min(1, max(0, unitRandom()))
        return bound * fraction
    }

    /// The upper bound of the wait after `attempt` failed attempts.
    func bound(afterAttempt attempt: Int) -> Duration {
        let doublings = max(0, min(attempt - 1, 30))
        let exponential = baseDelay * (1 << doublings)
        return min(exponential, maxDelay)
    }

    /// Runs `operation` until it succeeds, fails with something not worth retrying, or has used
    /// every attempt, sleeping ``delay(afterAttempt:unitRandom:)`` between attempts. Each
    /// attempt is timed (`ferry_worker_provider_request_duration_seconds{provider}`) and each
    /// retry counted (`ferry_worker_provider_retries_total{provider}`).
    ///
    /// - Parameters:
    ///   - provider: The provider, for the metrics (`s3`, `gcs`, `azure_blob`).
    ///   - operation: One attempt; it throws ``HTTPAttemptFailure`` for a failure the policy
    ///     should judge, anything else to stop at once.
    /// - Returns: The first success.
    /// - Throws: The last failure's ``HTTPAttemptFailure/error``, or whatever else was thrown.
    public func run<Result: Sendable>(
        provider: StorageProvider,
        _ operation: () async throws -> Result
    ) async throws -> Result {
        let dimensions = [("provider", provider.rawValue)]
        let timer = Metrics.Timer(label: "ferry_worker_provider_request_duration_seconds", dimensions: dimensions)
        var attempt = 1
        while true {
            let start = ContinuousClock.now
            do {
                defer { timer.record(duration: ContinuousClock.now - start) }
                return try await operation()
            } catch let failure as HTTPAttemptFailure {
                guard attempt < maxAttempts, isRetryable(failure.kind) else { throw failure.error }
                Counter(label: "ferry_worker_provider_retries_total", dimensions: dimensions).increment()
                try await Task.sleep(for: delay(afterAttempt: attempt))
                attempt += 1
            }
        }
    }
}
