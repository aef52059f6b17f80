import FerryCore
import NIOCore

/// Where one Redis database is and how to log in to it. Its description names the server and
/// database, never the credentials.
struct RedisEndpoint: Sendable, CustomStringConvertible {
    /// The host name or address, without the brackets of an IPv6 literal.
    var host: String
    /// The port (6379 when the location says 0).
    var port: Int
    /// The database `SELECT`ed after login.
    var database: Int
    /// Whether to speak TLS.
    var useTLS: Bool
    /// The ACL user, when the storage has a `username` secret.
    var username: String?
    /// The password, when the storage has a `password` secret.
    var password: String?
    /// The PEM file of extra certificate authorities to trust for TLS, besides the system's.
    var trustedCAFile: String?
    /// How long a TCP connect may take.
    var connectTimeout: TimeAmount
    /// How long a command may wait for its reply.
    var commandTimeout: TimeAmount
    /// The largest value a reply may carry.
    var maxValueBytes: Int

    /// The endpoint of a Redis location with the storage's secrets.
    ///
    /// - Throws: ``ProviderError`` for a username without a password.
    init(location: RedisLocation, secrets: StorageSecrets, options: RedisObjectStore.Options) throws {
        host = location.host.hasPrefix("[") && location.host.hasSuffix("]")
            ? String(location.host.dropFirst().dropLast()) : location.host
        port = location.port == 0 ? 6379 : location.port
        database = location.database
        useTLS = location.useTLS
        username = secrets.revealValue(named: "username").flatMap { $0.isEmpty ? nil : $0 }
        password = secrets.revealValue(named: "password").flatMap { $0.isEmpty ? nil : $0 }
        trustedCAFile = options.trustedCAFile
        connectTimeout = TimeAmount(options.connectTimeout)
        commandTimeout = TimeAmount(options.commandTimeout)
        maxValueBytes = options.maxValueBytes
        if username != nil, password == nil {
            throw ProviderError(subject: "\(self)", message: "a username secret needs a password secret too (AUTH takes both)")
        }
    }

    /// The host as a URI authority shows it: IPv6 literals in brackets.
    var authority: String {
        (host.contains(":") ? "[\(host)]" : host) + ":\(port)"
    }

    /// The most bytes one reply may take: a bulk string of the largest value, header and CR LF
    /// included, so that a value one byte larger is refused.
    var maxReplyBytes: Int {
        "$\(maxValueBytes)\r\n".utf8.count + maxValueBytes + 2
    }

    /// `redis://host:port/db` (`rediss://` with TLS).
    var description: String {
        "\(useTLS ? "rediss" : "redis")://\(authority)/\(database)"
    }
}
