import NIOCore

/// Pages of a Redis storage's keys, found with `SCAN cursor MATCH <prefix>* COUNT n`.
///
/// Each `SCAN` reply is handed out before the next is asked for, so the key set is never held
/// whole. `SCAN` guarantees every key present for the whole scan is returned, but may return a
/// key twice while the server resizes its tables; the worker counts such a repeat as an
/// existing task. Without `recursive`, keys with a `/` after the prefix are skipped.
actor RedisKeyLister: ObjectLister {
    private let client: RedisClient
    private let endpoint: RedisEndpoint
    private let prefix: String
    private let recursive: Bool
    private let scanCount: Int
    private var cursor = "0"
    private var finished = false
    private var found: [String] = []

    /// Creates a lister; nothing is sent until the first page is asked for.
    ///
    /// - Parameters:
    ///   - client: The store's connection.
    ///   - endpoint: The server, for error messages.
    ///   - prefix: The storage's key prefix (glob characters are matched literally).
    ///   - recursive: Whether keys with a `/` after the prefix are listed.
    ///   - scanCount: `SCAN`'s `COUNT`, the work the server does per call.
    init(client: RedisClient, endpoint: RedisEndpoint, prefix: String, recursive: Bool, scanCount: Int) {
        self.client = client
        self.endpoint = endpoint
        self.prefix = prefix
        self.recursive = recursive
        self.scanCount = scanCount
    }

    func next(maxCount: Int) async throws -> [ListedObject]? {
        while found.isEmpty, !finished {
            try await scan()
        }
        guard !found.isEmpty else { return nil }
        let page = found.prefix(max(1, maxCount))
        found.removeFirst(page.count)
        return page.map { ListedObject(key: $0, size: nil) }
    }

    /// The `MATCH` pattern: the prefix with `*?[]\` escaped, then `*`.
    static func pattern(forPrefix prefix: String) -> String {
        var pattern = ""
        for character in prefix {
            if "*?[]\\".contains(character) { pattern.append("\\") }
            pattern.append(character)
        }
        return pattern + "*"
    }

    private func scan() async throws {
        let subject = "prefix \"\(prefix)\""
        let command = RedisCommand(
            "SCAN", cursor, "MATCH", Self.pattern(forPrefix: prefix), "COUNT", "\(scanCount)")
        let reply: RESPValue
        do {
            reply = try await client.send(command)
        } catch {
            throw RedisFailure.failed("SCAN", subject: subject, endpoint: endpoint, error)
        }
        if case .error(let refusal) = reply {
            throw RedisFailure.refused("SCAN", subject: subject, endpoint: endpoint, refusal)
        }
        guard case .array(let parts?) = reply, parts.count == 2, case .bulkString(let next?) = parts[0],
            case .array(let keys?) = parts[1]
        else {
            throw RedisFailure.unexpected("SCAN", subject: subject, endpoint: endpoint, reply)
        }
        cursor = String(buffer: next)
        finished = cursor == "0"
        for key in keys {
            guard case .bulkString(let bytes?) = key else {
                throw RedisFailure.unexpected("SCAN", subject: subject, endpoint: endpoint, key)
            }
            guard let text = String(validating: bytes.readableBytesView, as: UTF8.self) else {
                throw ProviderError(
                    subject: String(decoding: bytes.readableBytesView, as: UTF8.self),
                    message: "a key in \(endpoint) is not UTF-8 text; Ferry's keys are text")
            }
            if recursive || !text.utf8.dropFirst(prefix.utf8.count).contains(UInt8(ascii: "/")) {
                found.append(text)
            }
        }
    }
}
