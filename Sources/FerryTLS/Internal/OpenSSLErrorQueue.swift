internal import COpenSSL

/// The one place where OpenSSL's thread-local error queue becomes Swift values.
enum OpenSSLErrorQueue {
    /// Empties the queue; call before every `SSL_*` call whose failure will be inspected.
    static func clear() {
        ERR_clear_error()
    }

    /// Drains the queue into entries, oldest first.
    static func drain() -> [OpenSSLErrorEntry] {
        var entries: [OpenSSLErrorEntry] = []
        // Bounded: the queue holds at most ERR_NUM_ERRORS (16) entries.
        for _ in 0..<32 {
            var file: UnsafePointer<CChar>?
            var line: Int32 = 0
            let code = ERR_get_error_all(&file, &line, nil, nil, nil)
            if code == 0 { break }
            let reason = ERR_reason_error_string(code).map { String(cString: $0) } ?? "unknown error"
            entries.append(
                OpenSSLErrorEntry(
                    code: code,
                    file: file.map { String(cString: $0) } ?? "?",
                    line: Int(line),
                    reason: reason
                )
            )
        }
        return entries
    }

    /// A ``TLSError`` carrying whatever the queue holds now.
    static func error(_ code: TLSError.Code, _ message: String) -> TLSError {
        TLSError(code: code, message: message, underlying: drain())
    }
}
