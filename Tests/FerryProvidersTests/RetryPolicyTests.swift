import FerryCore
import FerryProviders
import Synchronization
import Testing

/// What the shared HTTP layer retries, and how long it waits.
struct RetryPolicyTests {
    let policy = RetryPolicy()

    @Test func connectionErrorsServerErrorsAndThrottlingAreRetried() {
        #expect(policy.isRetryable(.connection))
        for status in [500, 502, 503, 504, 429] {
            #expect(policy.isRetryable(.status(status, serviceCode: nil)), "\(status)")
        }
        #expect(policy.isRetryable(.status(503, serviceCode: "SlowDown")))
        #expect(policy.isRetryable(.status(400, serviceCode: "RequestTimeout")))
        #expect(policy.isRetryable(.status(400, serviceCode: "SlowDown")))
    }

    @Test func authenticationAndOtherClientErrorsAreNot() {
        for status in [400, 401, 403, 404, 405, 409, 412, 416] {
            #expect(!policy.isRetryable(.status(status, serviceCode: nil)), "\(status)")
        }
        #expect(!policy.isRetryable(.status(403, serviceCode: "SignatureDoesNotMatch")))
        #expect(!policy.isRetryable(.status(403, serviceCode: "InvalidAccessKeyId")))
        #expect(!policy.isRetryable(.status(404, serviceCode: "NoSuchBucket")))
        // An auth failure is final even if a code claims throttling.
        #expect(!policy.isRetryable(.status(403, serviceCode: "SlowDown")))
    }

    @Test func theBoundDoublesFromTheBaseUpToTheCap() {
        let policy = RetryPolicy(maxAttempts: 10, baseDelay: .milliseconds(100), maxDelay: .milliseconds(1000))
        let atTheBound = (1...6).map { policy.delay(afterAttempt: $0, unitRandom: { 1 }) }
        #expect(atTheBound == [100, 200, 400, 800, 1000, 1000].map { .milliseconds($0) })
        #expect(policy.delay(afterAttempt: 60, unitRandom: { 1 }) == .milliseconds(1000))
    }

    @Test func fullJitterDrawsAnywhereFromZeroToTheBound() {
        let policy = RetryPolicy(baseDelay: .milliseconds(100), maxDelay: .seconds(5))
        #expect(policy.delay(afterAttempt: 3, unitRandom: { 0 }) == .zero)
        #expect(policy.delay(afterAttempt: 3, unitRandom: { 0.25 }) == .milliseconds(100))
        #expect(policy.delay(afterAttempt: 3, unitRandom: { 7 }) == .milliseconds(400), "clamped to the bound")
        for _ in 0..<200 {
            let delay = policy.delay(afterAttempt: 2)
            #expect(delay >= .zero && delay <= .milliseconds(200))
        }
    }

    @Test func aRetryableFailureIsTriedUpToMaxAttemptsThenReported() async throws {
        let policy = RetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(1), maxDelay: .milliseconds(2))
        let attempts = Mutex(0)
        let error = await #expect(throws: ProviderError.self) {
            try await policy.run(provider: .s3) { () async throws -> Int in
                attempts.withLock { $0 += 1 }
                throw Self.failure(503, "SlowDown")
            }
        }
        #expect(attempts.withLock { $0 } == 4)
        #expect(error?.code == "SlowDown")
    }

    @Test func anAuthFailureIsReportedAfterOneAttempt() async throws {
        let policy = RetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(1))
        let attempts = Mutex(0)
        await #expect(throws: ProviderError.self) {
            try await policy.run(provider: .s3) { () async throws -> Int in
                attempts.withLock { $0 += 1 }
                throw Self.failure(403, "SignatureDoesNotMatch")
            }
        }
        #expect(attempts.withLock { $0 } == 1)
    }

    @Test func aFailureThenASuccessReturnsTheSuccess() async throws {
        let policy = RetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(1))
        let attempts = Mutex(0)
        let value = try await policy.run(provider: .s3) { () async throws -> Int in
            let attempt = attempts.withLock { $0 += 1; return $0 }
            if attempt < 3 { throw HTTPAttemptFailure(kind: .connection, error: ProviderError(subject: "x", message: "reset")) }
            return attempt
        }
        #expect(value == 3)
    }

    private static func failure(_ status: Int, _ code: String) -> HTTPAttemptFailure {
        HTTPAttemptFailure(kind: .status(status, serviceCode: code), error: ProviderError(subject: "s3://b/k", message: "no", code: code))
    }
}
