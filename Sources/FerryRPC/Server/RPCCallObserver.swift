import Synchronization

/// Told when each call a server serves starts and ends (metrics).
///
/// `method` is `nil` for a method the server does not know, so an observer that labels by
/// method sees only the methods the server serves, whatever paths clients send.
public protocol RPCCallObserver: Sendable {
    /// A call began.
    ///
    /// - Parameter method: The method, if the server serves it.
    func callStarted(_ method: MethodDescriptor?)

    /// A call ended: its status was sent, or (`.cancelled`) the client went away first.
    ///
    /// - Parameters:
    ///   - method: The method, if the server serves it.
    ///   - code: The status code sent.
    ///   - duration: From the call's arrival to its status.
    func callEnded(_ method: MethodDescriptor?, code: Status.Code, duration: Duration)
}

/// A responder that tells an ``RPCCallObserver`` the status of the first `finish`.
final class ObservedResponder: ServerStreamResponder {
    private let upstream: any ServerStreamResponder
    private let observer: any RPCCallObserver
    private let method: MethodDescriptor?
    private let start = ContinuousClock.now
    private let ended = Atomic<Bool>(false)

    init(_ upstream: any ServerStreamResponder, method: MethodDescriptor?, observer: any RPCCallObserver) {
        self.upstream = upstream
        self.method = method
        self.observer = observer
        observer.callStarted(method)
    }

    func write(_ message: [UInt8]) async throws {
        try await upstream.write(message)
    }

    func finish(lastMessage: [UInt8]?, status: Status, trailers: Metadata) {
        upstream.finish(lastMessage: lastMessage, status: status, trailers: trailers)
        end(status.code)
    }

    /// Records the end once; later calls do nothing.
    func end(_ code: Status.Code) {
        guard !ended.exchange(true, ordering: .relaxed) else { return }
        observer.callEnded(method, code: code, duration: ContinuousClock.now - start)
    }
}
