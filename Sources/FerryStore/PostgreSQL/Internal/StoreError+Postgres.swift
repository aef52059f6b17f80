import PostgresNIO

extension StoreError {
    /// Maps any error from the PostgreSQL layer to a store error; store errors pass through.
    ///
    /// By SQLSTATE: a unique violation (23505) is ``Code/conflict``, any other integrity
    /// violation (class 23) ``Code/invalidArgument``; a lost or refused connection (class 08,
    /// an administrator's or crash shutdown 57P0x, too many connections 53300), a deadlock or a
    /// serialization failure (class 40) ``Code/unavailable``; data corruption (XX001, XX002)
    /// ``Code/corrupt``; anything else ``Code/io``. An error that never reached the server
    /// (connecting, TLS, the pool shutting down) is ``Code/unavailable``.
    static func from(postgres error: any Error, while doing: String) -> StoreError {
        if let storeError = error as? StoreError { return storeError }
        guard let psqlError = error as? PSQLError else {
            return StoreError(code: .unavailable, message: "The database is unreachable while \(doing).", cause: error)
        }
        guard psqlError.code == .server, let info = psqlError.serverInfo else {
            let code: Code = psqlError.code == .poolClosed ? .closed : .unavailable
            return StoreError(
                code: code,
                message: "PostgreSQL connection failure (\(psqlError.code)) while \(doing).",
                cause: error
            )
        }
        let state = info[.sqlState] ?? ""
        let code: Code
        switch state {
        case "23505":
            code = .conflict
        case _ where state.hasPrefix("23"):
            code = .invalidArgument
        case _ where state.hasPrefix("08") || state.hasPrefix("40") || state.hasPrefix("57P") || state == "53300":
            code = .unavailable
        case "XX001", "XX002":
            code = .corrupt
        default:
            code = .io
        }
        return StoreError(
            code: code,
            message: "PostgreSQL error \(state) while \(doing): \(info[.message] ?? "no message")",
            cause: error
        )
    }
}
