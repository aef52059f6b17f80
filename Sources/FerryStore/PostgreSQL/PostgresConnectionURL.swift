import Foundation
import PostgresNIO

/// Where a ``PostgresFerryStore`` connects: `postgres://user[:password]@host[:port]/database`
/// with an optional `?sslmode=disable|prefer|require` (default `prefer`).
///
/// The password is kept out of ``description`` and every error message.
public struct PostgresConnectionURL: Sendable, CustomStringConvertible {
    /// How the connection uses TLS.
    public enum SSLMode: String, Sendable {
        /// Plain TCP.
        case disable
        /// TLS when the server offers it, plain TCP otherwise.
        case prefer
        /// TLS, with the server's certificate verified against the system's trust roots.
        case require
    }

    /// The server's host name or address.
    public var host: String
    /// The server's port.
    public var port: Int
    /// The role to log in as.
    public var username: String
    /// The role's password, if any.
    public var password: String?
    /// The database.
    public var database: String
    /// How the connection uses TLS.
    public var sslMode: SSLMode

    /// Parses a connection URL.
    ///
    /// - Parameters:
    ///   - url: `postgres://` or `postgresql://` URL; percent-encoded user and password are decoded.
    ///   - password: The password, when it is not in the URL (it wins over one in the URL).
    /// - Throws: ``StoreError/Code/invalidArgument`` for a URL that is not a PostgreSQL URL.
    public init(_ url: String, password: String? = nil) throws {
        guard let components = URLComponents(string: url),
            let scheme = components.scheme?.lowercased(), scheme == "postgres" || scheme == "postgresql"
        else {
            throw StoreError.invalidArgument("The database URL is not a postgres:// URL.")
        }
        guard let host = components.host, !host.isEmpty else {
            throw StoreError.invalidArgument("The database URL names no host.")
        }
        guard let username = components.user, !username.isEmpty else {
            throw StoreError.invalidArgument("The database URL names no user.")
        }
        let database = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        guard !database.isEmpty, !database.contains("/") else {
            throw StoreError.invalidArgument("The database URL names no database (postgres://user@host:port/database).")
        }
        var sslMode = SSLMode.prefer
        for item in components.queryItems ?? [] {
            guard item.name == "sslmode" else {
                throw StoreError.invalidArgument("The database URL has an unknown parameter '\(item.name)'.")
            }
            guard let value = item.value, let mode = SSLMode(rawValue: value) else {
                throw StoreError.invalidArgument("sslmode must be disable, prefer or require.")
            }
            sslMode = mode
        }
        self.host = host
        self.port = components.port ?? 5432
        self.username = username
        self.password = password ?? components.password
        self.database = database
        self.sslMode = sslMode
    }

    /// `postgres://user@host:port/database?sslmode=…`, without the password.
    public var description: String {
        "postgres://\(self.username)@\(self.host):\(self.port)/\(self.database)?sslmode=\(self.sslMode.rawValue)"
    }

    /// The pool's configuration for this URL.
    func clientConfiguration() -> PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS
        switch self.sslMode {
        case .disable: tls = .disable
        case .prefer: tls = .prefer(.makeClientConfiguration())
        case .require: tls = .require(.makeClientConfiguration())
        }
        return PostgresClient.Configuration(
            host: self.host,
            port: self.port,
            username: self.username,
            password: self.password,
            database: self.database,
            tls: tls
        )
    }

    /// A single connection's configuration (the change feed's), with the pool's TLS mode.
    func connectionConfiguration() throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS
        switch self.sslMode {
        case .disable: tls = .disable
        case .prefer: tls = .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
        case .require: tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        }
        return PostgresConnection.Configuration(
            host: self.host,
            port: self.port,
            username: self.username,
            password: self.password,
            database: self.database,
            tls: tls
        )
    }
}
