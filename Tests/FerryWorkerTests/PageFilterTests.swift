import FerryProviders
import FerryCore
import FerryRPC
import Testing

@testable import FerryWorker

/// A sync's filter loop stops as soon as its job is stopped, and takes the same keys as the filter.
struct PageFilterTests {
    @Test func keepsTheMatchingObjectsInOrder() async throws {
        let page = ["a.json", "b.txt", "c.json"].map { ListedObject(key: $0, size: 1) }
        let taken = try await PageFilter.matching(page, filter: try KeyFilter(pattern: #".*\.json"#))
        #expect(taken.map(\.key) == ["a.json", "c.json"])
    }

    @Test func aCancelledFilterLoopEndsWithinAPingInterval() async throws {
        // A costly filter (a large program with many live states) over a large page: seconds of work.
        let filter = try KeyFilter(pattern: #"(?:.?){400}x"#)
        let key = String(repeating: "k", count: 300)
        let page = (0..<20_000).map { ListedObject(key: "\(key)\($0)", size: 1) }
        let started = Wakeup()
        let loop = Task {
            started.wake()
            return try await PageFilter.matching(page, filter: filter)
        }
        await started.wait(after: 0)
        try await Task.sleep(for: .milliseconds(50))
        let cancelledAt = ContinuousClock.now
        loop.cancel()
        let result = await loop.result
        let stopTime = ContinuousClock.now - cancelledAt
        #expect(throws: CancellationError.self) { try result.get() }
        // The loop checks for cancellation after every key (about a millisecond each), so it stops
        // at once, far inside the default 10 s ping interval; the whole page takes tens of seconds.
        // The bound leaves room for a test runner whose two cores are busy with other suites.
        #expect(stopTime < .seconds(3), "took \(stopTime) to stop")
    }
}
