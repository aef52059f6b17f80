import AsyncHTTPClient
import FerryProviders
import NIOCore
import Synchronization
import Testing

/// The shared reading helpers: bounded parallelism in order, and bodies refused past the limit.
struct BoundedReadsTests {
    @Test func readsKeepTheKeysOrderAndNeverExceedTheParallelism() async throws {
        let keys = (0..<40).map { "k\($0)" }
        let inFlight = Mutex((now: 0, most: 0))
        let objects = try await BoundedReads.read(keys, parallelism: 3) { key in
            inFlight.withLock { $0.now += 1; $0.most = max($0.most, $0.now) }
            // Later keys finish sooner, so completion order differs from key order.
            try await Task.sleep(for: .milliseconds(Int(40 - Int(key.dropFirst())!) % 7))
            inFlight.withLock { $0.now -= 1 }
            return Array(key.utf8)
        }
        #expect(objects.map(\.key) == keys)
        #expect(objects.map { String(decoding: $0.bytes, as: UTF8.self) } == keys)
        let most = inFlight.withLock { $0.most }
        #expect(most <= 3 && most >= 2, "\(most) reads at once")
    }

    @Test func theFirstFailureFailsTheBatch() async throws {
        await #expect(throws: ProviderError.self) {
            _ = try await BoundedReads.read(["a", "bad", "c"], parallelism: 2) { key in
                if key == "bad" { throw ProviderError(subject: key, message: "gone") }
                return []
            }
        }
    }

    @Test func aBodyIsStreamedUpToTheLimitAndRefusedPastIt() async throws {
        let chunks = (0..<3).map { _ in ByteBuffer(bytes: [UInt8](repeating: 7, count: 10)) }
        let fits = try await Self.body(chunks).collect(limit: 30, declaredLength: nil, subject: "s3://b/k")
        #expect(fits.count == 30)
        let error = await #expect(throws: ProviderError.self) {
            _ = try await Self.body(chunks).collect(limit: 25, declaredLength: nil, subject: "s3://b/k")
        }
        #expect(error?.subject == "s3://b/k")
    }

    @Test func aDeclaredLengthPastTheLimitIsRefusedBeforeReading() async throws {
        let error = await #expect(throws: ProviderError.self) {
            _ = try await Self.body([]).collect(limit: 100, declaredLength: 101, subject: "s3://b/big")
        }
        #expect(error?.message.contains("101 bytes") == true)
    }

    private static func body(_ chunks: [ByteBuffer]) -> HTTPClientResponse.Body {
        .stream(AsyncStream { continuation in
            for chunk in chunks { continuation.yield(chunk) }
            continuation.finish()
        })
    }
}
