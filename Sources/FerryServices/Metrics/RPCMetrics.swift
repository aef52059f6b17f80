import FerryRPC
import Metrics
import Synchronization

/// Counts ferryd's calls by method and status code, times them by method, and keeps the calls in
/// progress (so the open Heartbeat streams) by method:
/// `ferry_rpc_calls_total{method,code}`, `ferry_rpc_call_duration_seconds{method}`,
/// `ferry_rpc_calls_active{method}`. A method the server does not serve is `unknown`, so the
/// labels stay as few as the methods.
final class RPCMetrics: RPCCallObserver {
    private struct Handles {
        var calls: [String: Counter] = [:]
        var durations: [String: Metrics.Timer] = [:]
        var active: [String: Meter] = [:]
    }

    private let handles = Mutex(Handles())

    func callStarted(_ method: MethodDescriptor?) {
        let name = Self.label(method)
        handles.withLock { handles in
            Self.handle(&handles.active, name) { Meter(label: "ferry_rpc_calls_active", dimensions: [("method", name)]) }
        }.increment()
    }

    func callEnded(_ method: MethodDescriptor?, code: Status.Code, duration: Duration) {
        let name = Self.label(method)
        let (calls, timer, active) = handles.withLock { handles in
            (
                Self.handle(&handles.calls, name + " " + code.description) {
                    Counter(label: "ferry_rpc_calls_total", dimensions: [("method", name), ("code", code.description)])
                },
                Self.handle(&handles.durations, name) {
                    Metrics.Timer(label: "ferry_rpc_call_duration_seconds", dimensions: [("method", name)])
                },
                Self.handle(&handles.active, name) { Meter(label: "ferry_rpc_calls_active", dimensions: [("method", name)]) }
            )
        }
        calls.increment()
        let (seconds, attoseconds) = duration.components
        timer.recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
        active.decrement()
    }

    private static func label(_ method: MethodDescriptor?) -> String {
        method?.path ?? "unknown"
    }

    /// The cached handle for `key`, made on first use.
    private static func handle<Handle>(_ cache: inout [String: Handle], _ key: String, make: () -> Handle) -> Handle {
        if let handle = cache[key] { return handle }
        let handle = make()
        cache[key] = handle
        return handle
    }
}
