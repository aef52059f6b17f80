import Synchronization

/// A one-shot signal that lets the event loop cancel the task serving a stream.
///
/// The stream's task attaches itself while its handler runs (``run(_:)``); when the client
/// cancels or the deadline passes, the connection handler calls ``cancel()`` and that task is
/// cancelled. One task per call: no second task waiting for the signal, no group racing the two.
final class CancellationSignal: Sendable {
    /// The serving task. `UnsafeCurrentTask` is not Sendable; handing it to the loop's thread is
    /// safe because it is used only under the lock, and only while the task is attached: the task
    /// detaches, under the same lock, before it ends.
    private struct ServingTask: @unchecked Sendable {
        let task: UnsafeCurrentTask
    }

    private enum State {
        case idle
        case attached(ServingTask)
        case fired
        case done
    }

    private let state = Mutex(State.idle)

    /// Fires the signal: the attached task, or one that attaches later, is cancelled. Idempotent.
    func cancel() {
        state.withLock { state in
            if case .attached(let serving) = state { serving.task.cancel() }
            if case .done = state { return }
            state = .fired
        }
    }

    /// Runs `body` in the calling task, which is cancelled if the signal fires before `body`
    /// returns (or has already fired).
    func run(_ body: () async -> Void) async {
        withUnsafeCurrentTask { task in
            guard let task else { return }
            let serving = ServingTask(task: task)
            state.withLock { state in
                switch state {
                case .idle: state = .attached(serving)
                case .fired: serving.task.cancel()
                case .attached, .done: break
                }
            }
        }
        await body()
        state.withLock { $0 = .done }
    }
}
