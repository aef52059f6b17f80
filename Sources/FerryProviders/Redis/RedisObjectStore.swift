import FerryCore
import NIOCore

/// The `redis` provider: string keys under the storage's prefix in one Redis database.
///
/// Keys are full Redis keys, prefix included. Listing uses `SCAN` (``RedisKeyLister``);
/// reading pipelines `GET`s, at most `ProviderContext.parallelism` in flight; writing is `SET`,
/// deleting `DEL`. Everything goes through one pipelined connection (``RedisClient``), logged
/// in with the storage's `username`/`password` secrets and switched to its database. Values
/// larger than ``ObjectLimits/maxObjectBytes`` are refused as their reply header arrives (the
/// connection is then closed, and the next command opens a new one).
public struct RedisObjectStore: ObjectStore {
    /// Connection and listing settings that storages do not carry.
    public struct Options: Sendable {
        /// How long a TCP connect may take.
        public var connectTimeout: Duration
        /// How long one command may wait for its reply.
        public var commandTimeout: Duration
        /// `SCAN`'s `COUNT`: roughly how many keys the server looks at per listing call.
        public var scanCount: Int
        /// A PEM file of certificate authorities to trust for TLS besides the system's.
        public var trustedCAFile: String?
        /// The largest value read; larger ones are refused as their reply header arrives. Only
        /// tests lower it.
        var maxValueBytes = Int(ObjectLimits.maxObjectBytes)

        /// Creates options.
        public init(
            connectTimeout: Duration = .seconds(10), commandTimeout: Duration = .seconds(60), scanCount: Int = 1000,
            trustedCAFile: String? = nil
        ) {
            self.connectTimeout = connectTimeout
            self.commandTimeout = commandTimeout
            self.scanCount = max(1, scanCount)
            self.trustedCAFile = trustedCAFile
        }
    }

    private let endpoint: RedisEndpoint
    private let client: RedisClient
    private let prefix: String
    private let recursive: Bool
    private let scanCount: Int
    private let parallelism: Int

    /// Creates the store of a ``StorageLocation/redis(_:)`` target; nothing connects until it is used.
    ///
    /// - Parameters:
    ///   - target: The location, prefix, recursion and `username`/`password` secrets.
    ///   - context: How many reads may be in flight at once.
    ///   - options: Timeouts, listing and TLS settings.
    /// - Throws: ``ProviderError`` for another provider's location, or a username without a password.
    public init(target: ProviderTarget, context: ProviderContext, options: Options = Options()) throws {
        guard case .redis(let location) = target.location else {
            throw ProviderError(subject: "\(target.location.provider)", message: "is not a redis location")
        }
        endpoint = try RedisEndpoint(location: location, secrets: target.secrets, options: options)
        client = RedisClient(endpoint: endpoint)
        prefix = target.prefix
        recursive = target.recursive
        scanCount = options.scanCount
        parallelism = context.parallelism
    }

    public func makeLister() throws -> any ObjectLister {
        RedisKeyLister(client: client, endpoint: endpoint, prefix: prefix, recursive: recursive, scanCount: scanCount)
    }

    public func read(_ keys: [String]) async throws -> [LoadedObject] {
        var loaded: [LoadedObject] = []
        loaded.reserveCapacity(keys.count)
        var start = keys.startIndex
        while start < keys.endIndex {
            let window = keys[start..<min(start + parallelism, keys.endIndex)]
            let replies: [Result<RESPValue, any Error>]
            do {
                replies = try await client.send(window.map { RedisCommand("GET", $0) })
            } catch {
                throw RedisFailure.failed("GET", subject: window.first!, endpoint: endpoint, error)
            }
            for (key, reply) in zip(window, replies) {
                loaded.append(LoadedObject(key: key, bytes: try await value(of: key, from: reply)))
            }
            start = window.endIndex
        }
        return loaded
    }

    public func write(key: String, bytes: [UInt8], contentType: String) async throws -> WrittenObject {
        let reply = try await run(RedisCommand("SET", [key], payload: bytes), key: key)
        guard case .simpleString = reply else {
            throw RedisFailure.unexpected("SET", subject: key, endpoint: endpoint, reply)
        }
        return WrittenObject(key: key, etag: nil)
    }

    public func delete(key: String) async throws {
        let reply = try await run(RedisCommand("DEL", key), key: key)
        guard case .integer = reply else {
            throw RedisFailure.unexpected("DEL", subject: key, endpoint: endpoint, reply)
        }
    }

    /// `redis://host:port/db/key` (`rediss://` for a TLS location), the key percent-encoded.
    public func blobURL(for key: String) -> String {
        "\(endpoint)/" + URIEncoding.path(key)
    }

    /// Sends one command about `key`; an error reply or a failed connection is thrown.
    private func run(_ command: RedisCommand, key: String) async throws -> RESPValue {
        let reply: RESPValue
        do {
            reply = try await client.send(command)
        } catch {
            throw RedisFailure.failed(command.name, subject: key, endpoint: endpoint, error)
        }
        if case .error(let refusal) = reply {
            throw RedisFailure.refused(command.name, subject: key, endpoint: endpoint, refusal)
        }
        return reply
    }

    /// The bytes of a `GET` reply, or the error that names why there are none.
    private func value(of key: String, from reply: Result<RESPValue, any Error>) async throws -> [UInt8] {
        switch reply {
        case .success(.bulkString(let bytes?)):
            return Array(bytes.readableBytesView)
        case .success(.bulkString(nil)):
            throw ProviderError(subject: key, message: "no longer exists in \(endpoint): deleted after it was listed")
        case .success(.error(let refusal)) where refusal.code == "WRONGTYPE":
            let type = (try? await run(RedisCommand("TYPE", key), key: key)).flatMap { reply -> String? in
                if case .simpleString(let name) = reply { return name }
                return nil
            }
            throw ProviderError(
                subject: key,
                message: "holds a \(type ?? "non-string") value in \(endpoint), not a string; only string keys are read",
                code: refusal.code)
        case .success(.error(let refusal)):
            throw RedisFailure.refused("GET", subject: key, endpoint: endpoint, refusal)
        case .success(let other):
            throw RedisFailure.unexpected("GET", subject: key, endpoint: endpoint, other)
        case .failure(RESPProtocolError.replyTooLarge):
            throw ProviderError(
                subject: key,
                message: "is larger than \(endpoint.maxValueBytes) bytes; task files are read whole, up to that size")
        case .failure(let error):
            throw RedisFailure.failed("GET", subject: key, endpoint: endpoint, error)
        }
    }
}
