import Foundation
import Synchronization

/// Reads a child's output (standard output or error, through a pipe) on a thread of its own,
/// keeping the lines and draining the pipe so the child never blocks on a full one.
final class LineCollector: Sendable {
    private let lines = Mutex<[String]>([])

    init(_ handle: FileHandle) {
        let thread = Thread { [self] in
            var pending = Data()
            // Ends at end of file, when the child exits.
            while case let data = handle.availableData, !data.isEmpty {
                pending.append(data)
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                    pending.removeSubrange(pending.startIndex...newline)
                    lines.withLock { $0.append(line) }
                }
            }
        }
        thread.start()
    }

    /// The first line so far that matches.
    func first(where predicate: (String) -> Bool) -> String? {
        lines.withLock { $0.first(where: predicate) }
    }

    /// The lines so far that match.
    func lines(where predicate: (String) -> Bool) -> [String] {
        lines.withLock { $0.filter(predicate) }
    }

    /// The last `count` lines so far.
    func last(_ count: Int) -> [String] {
        lines.withLock { Array($0.suffix(count)) }
    }
}
