import Foundation

/// Refuses settings nobody reads: a misspelt flag (`--lisen`), JSON key or `FERRY_*` variable
/// would otherwise be ignored silently and the default used instead.
enum SettingsKeyCheck {
    /// Checks the command line's flags against the documented keys.
    ///
    /// - Parameters:
    ///   - arguments: The arguments after the program name.
    ///   - keys: The documented keys (`tls.clientAuth` is given as `--tls-client-auth`).
    /// - Throws: ``SettingsError`` naming the first unknown flag.
    static func checkFlags(_ arguments: [String], keys: [DocumentedSetting]) throws {
        let known = Set(keys.map { "--" + flagName(for: $0.key) })
        for argument in arguments where argument.hasPrefix("--") {
            let flag = String(argument.prefix { $0 != "=" })
            guard known.contains(flag) else {
                throw SettingsError(
                    key: String(flag.dropFirst(2)),
                    message: "unknown flag \(flag)\(NearMiss.clause(for: flag, among: known)) (see --help)")
            }
        }
    }

    /// Checks a JSON configuration file's keys against the documented keys.
    ///
    /// - Parameters:
    ///   - data: The file's contents.
    ///   - path: The file, for the message.
    ///   - keys: The documented keys, dotted (`tls.cert` is `{"tls": {"cert": …}}`).
    /// - Throws: ``SettingsError`` naming the first unknown key.
    static func checkFile(_ data: Data, path: String, keys: [DocumentedSetting]) throws {
        let known = Set(keys.map(\.key))
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return }
        for key in leafKeys(of: object).sorted() where !known.contains(key) {
            throw SettingsError(key: key, message: "unknown key in '\(path)'\(NearMiss.clause(for: key, among: known))")
        }
    }

    /// Checks the environment's `FERRY_*` variables against the documented keys.
    ///
    /// - Parameters:
    ///   - environment: The process environment.
    ///   - keys: The documented keys (`tls.clientAuth` is read from `FERRY_TLS_CLIENT_AUTH`).
    /// - Throws: ``SettingsError`` naming the first unknown variable.
    static func checkEnvironment(_ environment: [String: String], keys: [DocumentedSetting]) throws {
        let known = Set(keys.map { environmentName(for: $0.key) })
        for variable in environment.keys.sorted() where variable.hasPrefix(environmentPrefix) && !known.contains(variable) {
            throw SettingsError(
                key: variable,
                message: "unknown environment variable\(NearMiss.clause(for: variable, among: known)); "
                    + "\(environmentPrefix)* variables are settings (see --help)")
        }
    }

    /// The prefix of the environment variables that hold settings.
    static let environmentPrefix = "FERRY_"

    /// `tls.clientAuth` → `FERRY_TLS_CLIENT_AUTH`, as swift-configuration's environment provider
    /// names it: an underscore between a lowercase and an uppercase letter and for every other
    /// character that is not a letter or digit, all uppercase.
    static func environmentName(for key: String) -> String {
        var name = environmentPrefix
        var previous: Character?
        for character in key {
            if let previous, previous.isLowercase, character.isUppercase { name.append("_") }
            name += character.isLetter || character.isNumber ? character.uppercased() : "_"
            previous = character
        }
        return name
    }

    /// `tls.clientAuth` → `tls-client-auth`.
    static func flagName(for key: String) -> String {
        var name = ""
        for character in key {
            if character == "." {
                name.append("-")
            } else if character.isUppercase {
                name += "-" + character.lowercased()
            } else {
                name.append(character)
            }
        }
        return name
    }

    private static func leafKeys(of object: [String: Any], prefix: String = "") -> [String] {
        object.flatMap { key, value -> [String] in
            let path = prefix.isEmpty ? key : prefix + "." + key
            guard let nested = value as? [String: Any] else { return [path] }
            return leafKeys(of: nested, prefix: path)
        }
    }
}
