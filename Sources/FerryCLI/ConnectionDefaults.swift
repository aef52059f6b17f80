import FerrySettings
public import Foundation

/// Where `ferryctl` connects, merged from flags, `FERRYCTL_*` environment variables and a JSON
/// file, in that order of priority, so scripts and operators need not repeat `--server --ca …`.
///
/// The file is `--config`, else `$FERRYCTL_CONFIG`, else `~/.config/ferry/ferryctl.json` when it
/// exists. Its keys: `server`, `ca`, `serverName`, `cert`, `key`, `token`; the environment
/// variables are `FERRYCTL_SERVER`, `FERRYCTL_CA`, `FERRYCTL_SERVER_NAME`, `FERRYCTL_CERT`,
/// `FERRYCTL_KEY` and `FERRYCTL_TOKEN`.
public struct ConnectionDefaults: Sendable, Equatable {
    /// The server address, host:port.
    public var server: String
    /// The CA bundle that signs the server certificate.
    public var ca: String?
    /// The name the server certificate must match.
    public var serverName: String?
    /// A client certificate, for mTLS.
    public var cert: String?
    /// Its private key.
    public var key: String?
    /// A bearer token.
    public var token: String?

    /// Creates settings from their values.
    public init(
        server: String, ca: String? = nil, serverName: String? = nil, cert: String? = nil, key: String? = nil,
        token: String? = nil
    ) {
        self.server = server
        self.ca = ca
        self.serverName = serverName
        self.cert = cert
        self.key = key
        self.token = token
    }

    /// The address used when nothing names one.
    public static let defaultServer = "127.0.0.1:7443"

    /// The settings a source gives, by file key.
    public typealias Values = [String: String]

    /// Merges the sources.
    ///
    /// - Parameters:
    ///   - flags: Values given as flags.
    ///   - environment: The process environment.
    ///   - file: Values from the JSON file, if one was read.
    /// - Returns: The merged settings.
    public static func merge(flags: Values, environment: [String: String], file: Values) -> ConnectionDefaults {
        func value(_ key: String, _ variable: String) -> String? {
            for candidate in [flags[key], environment[variable], file[key]] {
                if let candidate, !candidate.isEmpty { return candidate }
            }
            return nil
        }
        return ConnectionDefaults(
            server: value("server", "FERRYCTL_SERVER") ?? defaultServer,
            ca: value("ca", "FERRYCTL_CA"),
            serverName: value("serverName", "FERRYCTL_SERVER_NAME"),
            cert: value("cert", "FERRYCTL_CERT"),
            key: value("key", "FERRYCTL_KEY"),
            token: value("token", "FERRYCTL_TOKEN")
        )
    }

    /// Every `FERRYCTL_*` variable ferryctl reads.
    public static let environmentVariables: Set = [
        "FERRYCTL_SERVER", "FERRYCTL_CA", "FERRYCTL_SERVER_NAME", "FERRYCTL_CERT", "FERRYCTL_KEY", "FERRYCTL_TOKEN",
        "FERRYCTL_CONFIG",
    ]

    /// Refuses a `FERRYCTL_*` variable ferryctl does not read: misspelt, it would be ignored
    /// and a default used instead.
    ///
    /// - Parameter environment: The process environment.
    /// - Throws: ``ConnectionDefaultsError`` naming the first unknown variable.
    public static func checkEnvironment(_ environment: [String: String]) throws {
        for variable in environment.keys.sorted()
        where variable.hasPrefix("FERRYCTL_") && !environmentVariables.contains(variable) {
            throw ConnectionDefaultsError(
                message: "unknown environment variable \(variable)"
                    + NearMiss.clause(for: variable, among: environmentVariables)
                    + "; ferryctl reads \(environmentVariables.sorted().joined(separator: ", "))")
        }
    }

    /// The JSON file to read: the flag, else `$FERRYCTL_CONFIG`, else the per-user file if present.
    ///
    /// - Parameters:
    ///   - flag: `--config`, if given.
    ///   - environment: The process environment.
    /// - Returns: The path, or `nil` for none.
    public static func configPath(flag: String?, environment: [String: String]) -> String? {
        if let flag, !flag.isEmpty { return flag }
        if let path = environment["FERRYCTL_CONFIG"], !path.isEmpty { return path }
        guard let home = environment["HOME"], !home.isEmpty else { return nil }
        let path = home + "/.config/ferry/ferryctl.json"
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    /// Parses the JSON file's text.
    ///
    /// - Parameters:
    ///   - data: The file's bytes.
    ///   - path: The path, for errors.
    /// - Returns: Its string values by key.
    /// - Throws: ``ConnectionDefaultsError`` when it is not a JSON object of strings.
    public static func parseFile(_ data: Data, path: String) throws -> Values {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ConnectionDefaultsError(message: "\(path): not a JSON object")
        }
        let known: Set = ["server", "ca", "serverName", "cert", "key", "token"]
        var values: Values = [:]
        for (key, value) in object {
            guard known.contains(key) else {
                throw ConnectionDefaultsError(
                    message: "\(path): unknown key '\(key)'\(NearMiss.clause(for: key, among: known)) "
                        + "(known: \(known.sorted().joined(separator: ", ")))")
            }
            guard let text = value as? String else {
                throw ConnectionDefaultsError(message: "\(path): '\(key)' must be a string")
            }
            values[key] = text
        }
        return values
    }
}

/// `ferryctl`'s connection settings cannot be read.
public struct ConnectionDefaultsError: Error, Sendable, CustomStringConvertible {
    /// What is wrong.
    public var message: String

    /// Creates an error.
    public init(message: String) {
        self.message = message
    }

    public var description: String { message }
}
