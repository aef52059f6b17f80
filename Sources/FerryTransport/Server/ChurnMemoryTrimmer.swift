import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Gives the heap that closed connections freed back to the system after a burst of them.
///
/// glibc's `free` returns memory to the kernel only from the top of each arena's heap; what a
/// burst of connections allocated between longer-lived blocks stays mapped (2,000 connections
/// left about 100 MB resident after they closed). `malloc_trim(0)` releases the free pages
/// anywhere in every arena. It walks the arenas under their locks, so it runs off the event
/// loops, only after `threshold` connections have closed since the last time, and once the
/// burst is over: when no connection closed for `quietPeriod`, or `maximumDelay` after the
/// threshold was reached if connections keep closing.
final class ChurnMemoryTrimmer: Sendable {
    private struct State {
        var closedSinceTrim = 0
        var scheduled = false
        var lastClose = ContinuousClock.now
    }

    private let threshold: Int
    private let quietPeriod: Duration
    private let maximumDelay: Duration
    private let state = Mutex(State())
    private let trimCount = Atomic<Int>(0)

    /// How many times the heap was trimmed (for tests and diagnostics).
    var trims: Int { trimCount.load(ordering: .relaxed) }

    /// - Parameters:
    ///   - threshold: Closed connections that make a trim worth its cost.
    ///   - quietPeriod: How long no connection must have closed before the trim.
    ///   - maximumDelay: The longest a trim waits for quiet once the threshold is reached.
    init(threshold: Int = 256, quietPeriod: Duration = .seconds(1), maximumDelay: Duration = .seconds(5)) {
        self.threshold = threshold
        self.quietPeriod = quietPeriod
        self.maximumDelay = maximumDelay
    }

    /// A connection closed.
    func connectionClosed() {
        let schedule = state.withLock { state -> Bool in
            state.closedSinceTrim += 1
            state.lastClose = .now
            guard state.closedSinceTrim >= threshold, !state.scheduled else { return false }
            state.scheduled = true
            return true
        }
        guard schedule else { return }
        Task.detached(priority: .background) { [self] in
            await trimWhenQuiet(latest: .now + maximumDelay)
        }
    }

    private func trimWhenQuiet(latest: ContinuousClock.Instant) async {
        // Bounded by `latest`: each pass sleeps until the quiet period would end.
        while true {
            let quietAt = state.withLock { $0.lastClose } + quietPeriod
            let wakeAt = min(quietAt, latest)
            guard wakeAt > .now else { break }
            try? await Task.sleep(until: wakeAt)
        }
        state.withLock { state in
            state.closedSinceTrim = 0
            state.scheduled = false
        }
        Self.trimHeap()
        trimCount.add(1, ordering: .relaxed)
    }

    private static func trimHeap() {
        _ = mallocTrim?(0)
    }

    /// glibc's `malloc_trim`, which Swift's Glibc module does not export (`<malloc.h>`); `nil`
    /// on other C libraries.
    private static let mallocTrim: (@convention(c) (Int) -> Int32)? = {
        #if canImport(Glibc)
        guard let process = dlopen(nil, RTLD_NOW), let symbol = dlsym(process, "malloc_trim") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int) -> Int32).self)
        #else
        return nil
        #endif
    }()
}
