public import FerryProto
public import FerryRPC

/// ferryctl's documented exit codes and the one place errors become them.
///
/// | Code | Meaning |
/// |---|---|
/// | 0 | success; `sync --watch`: the sync completed |
/// | 1 | the call failed (any other status); `sync --watch`: the sync failed |
/// | 2 | usage error |
/// | 3 | server unreachable (`UNAVAILABLE`) |
/// | 4 | not allowed (`UNAUTHENTICATED`, `PERMISSION_DENIED`) |
/// | 5 | not found (`NOT_FOUND`) |
/// | 6 | `sync --watch`: the sync completed with errors (some items failed validation) |
public enum ExitCodes {
    public static let success: Int32 = 0
    public static let failure: Int32 = 1
    public static let usage: Int32 = 2
    public static let unreachable: Int32 = 3
    public static let auth: Int32 = 4
    public static let notFound: Int32 = 5
    public static let completedWithErrors: Int32 = 6

    /// The exit code for an RPC status code.
    public static func code(for code: RPCError.Code) -> Int32 {
        switch code {
        case .ok: success
        case .unavailable: unreachable
        case .unauthenticated, .permissionDenied: auth
        case .notFound: notFound
        default: failure
        }
    }

    /// The exit code for an error a command threw; errors that are not ``RPCError`` are 1.
    public static func code(for error: any Error) -> Int32 {
        if let error = error as? RPCError { return code(for: error.code) }
        return failure
    }

    /// The single line ferryctl prints on stderr for an error: `ferryctl: <CODE>: <message>`.
    /// Newlines in the message are flattened so the line stays one line.
    public static func line(for error: any Error) -> String {
        let text: String
        if let error = error as? RPCError {
            text = "\(error.code): \(error.message.isEmpty ? "(no message)" : error.message)"
        } else {
            text = "\(error)"
        }
        return "ferryctl: " + text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    /// The exit code of `sync --watch` for the status the sync settled in.
    public static func code(forSettled status: FerryV1.SyncStatus) -> Int32 {
        switch status {
        case .completed: success
        case .completedWithErrors: completedWithErrors
        default: failure
        }
    }
}
