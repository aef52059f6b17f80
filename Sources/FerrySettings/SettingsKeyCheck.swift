import Foundation

/// Refuses settings nobody reads: a misspelt flag (`--lisen`) or JSON key would otherwise be
/// ignored silently and the default used instead.
enum SettingsKeyCheck {
    /// Checks the command line's flags against the documented keys.
    ///
    /// - Parameters:
    ///   - arguments: The arguments after the program name.
    ///   - keys: The documented keys (`tls.clientAuth` is given as `--tls-client-auth`).
    /// - Throws: ``SettingsError`` naming the first unknown flag.
    static func checkFlags(_ arguments: [String], keys: [DocumentedSetting]) throws {
        let known = Set(keys.map { flagName(for: $0.key) })
        for argument in arguments where argument.hasPrefix("--") {
            let name = String(argument.dropFirst(2).prefix { $0 != "=" })
            guard known.contains(name) else {
                throw SettingsError(key: name, message: "unknown flag --\(name) (see --help)")
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
            throw SettingsError(key: key, message: "unknown key in '\(path)'")
        }
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
