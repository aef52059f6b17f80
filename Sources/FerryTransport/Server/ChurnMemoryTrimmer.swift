import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Gives the heap that closed connections freed back to the system after a burst of them.
///
/// glibc's `free` returns memory to the kernel only from the top of each arena's heap; what a
/// burst of connections allocated between longer-lived blocks stays mapped (2,000 connections
/// left about 100 MB resident after they closed). `malloc_trim(0)` releases the free pages
/// anywhere in every arena. It walks the arenas under their locks, so it runs at most once per
/// `debounce`, off the event loops, and only after `threshold` connections have closed since
/// the last time.
final class ChurnMemoryTrimmer: Sendable {
    private struct State {
        var closedSinceTrim = 0
        var scheduled = false
    }

    private let threshold: Int
    private let debounce: Duration
    private let state = Mutex(State())
    /// How many times the heap was trimmed (for tests and diagnostics).
    var trims: Int { trimCount.load(ordering: .relaxed) }
    private let trimCount = Atomic<Int>(0)

    /// - Parameters:
    ///   - threshold: Closed connections that make a trim worth its cost.
    ///   - debounce: How long to wait after the threshold is reached, so that the rest of a
    ///     burst closes first; also the shortest time between two trims.
    init(threshold: Int = 256, debounce: Duration = .seconds(1)) {
        self.threshold = threshold
        self.debounce = debounce
    }

    /// A connection closed.
    func connectionClosed() {
        let schedule = state.withLock { state -> Bool in
            state.closedSinceTrim += 1
            guard state.closedSinceTrim >= threshold, !state.scheduled else { return false }
            state.scheduled = true
            return true
        }
        guard schedule else { return }
        Task.detached(priority: .background) { [self] in
            try? await Task.sleep(for: debounce)
            state.withLock { state in
                state.closedSinceTrim = 0
                state.scheduled = false
            }
            Self.trimHeap()
            trimCount.add(1, ordering: .relaxed)
        }
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
