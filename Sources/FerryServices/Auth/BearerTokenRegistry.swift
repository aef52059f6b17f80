import FerryCrypto
import Foundation

/// The bearer tokens internal services use, loaded from a file that stores only their digests.
///
/// The file has one token per line: `sha256:<64 hex digits> <role> <name>`; blank lines and lines
/// starting with `#` are ignored. `ferryctl token create` prints a new token and its line.
/// Tokens themselves are never stored, so a leaked file does not leak credentials.
public struct BearerTokenRegistry: Sendable {
    private let principals: [String: Principal]

    /// An empty registry: no token is valid.
    public init() {
        self.principals = [:]
    }

    /// Loads a tokens file.
    ///
    /// - Parameter path: The file.
    /// - Throws: ``TokenFileError`` naming the line that is malformed, or the read error.
    public init(contentsOf path: String) throws {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw TokenFileError(path: path, line: 0, message: "cannot be read: \(error.localizedDescription)")
        }
        try self.init(parsing: text, path: path)
    }

    /// Parses the contents of a tokens file.
    ///
    /// - Parameters:
    ///   - text: The file's contents.
    ///   - path: The file's name, for errors.
    /// - Throws: ``TokenFileError`` naming the malformed line.
    public init(parsing text: String, path: String = "tokens") throws {
        var principals: [String: Principal] = [:]
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count == 3, fields[0].hasPrefix("sha256:") else {
                throw TokenFileError(path: path, line: index + 1, message: "expected 'sha256:<hex> <role> <name>'")
            }
            let digest = String(fields[0].dropFirst("sha256:".count)).lowercased()
            guard digest.count == 64, Hex.decode(digest) != nil else {
                throw TokenFileError(path: path, line: index + 1, message: "the digest must be 64 hex digits")
            }
            guard let role = Role(rawValue: String(fields[1])), role != .worker else {
                throw TokenFileError(path: path, line: index + 1, message: "the role must be 'reader' or 'admin'")
            }
            principals[digest] = Principal(name: String(fields[2]), role: role, credential: .bearerToken)
        }
        self.principals = principals
    }

    /// The principal a token belongs to.
    ///
    /// - Parameter token: The token as presented, without the `Bearer ` prefix.
    /// - Returns: The principal, or `nil` for an unknown token.
    public func principal(forToken token: String) -> Principal? {
        principals[SHA256.hexDigest(token)]
    }

    /// The number of tokens loaded.
    public var count: Int { principals.count }

    /// The line that registers `token` under `role` and `name`.
    ///
    /// - Parameters:
    ///   - token: The token.
    ///   - role: Its role.
    ///   - name: A name for logs.
    /// - Returns: A line for the tokens file.
    public static func line(forToken token: String, role: Role, name: String) -> String {
        "sha256:\(SHA256.hexDigest(token)) \(role) \(name)"
    }
}

/// A tokens file could not be used.
public struct TokenFileError: Error, Sendable, CustomStringConvertible {
    /// The file.
    public var path: String
    /// The 1-based line, or 0 for the file as a whole.
    public var line: Int
    /// What is wrong.
    public var message: String

    public var description: String {
        line == 0 ? "Tokens file \(path) \(message)" : "Tokens file \(path), line \(line): \(message)"
    }
}
