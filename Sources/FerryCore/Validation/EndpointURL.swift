/// Checks of a custom provider endpoint (`s3.endpoint_url`, `gcs.endpoint_url`, `azure_blob.endpoint_url`).
///
/// Written without Foundation's URL so the rules are explicit: `http` or `https` only, a host,
/// an optional port 1–65535, an optional path; no credentials (`user:pass@`), query, fragment,
/// whitespace or control characters. Whether the host resolves or answers is I/O, for the server
/// (or a connection check) to find out.
enum EndpointURL {
    /// The problem with an endpoint, or `nil` if it is acceptable.
    static func problem(with endpoint: String) -> (code: FieldError.Code, message: String)? {
        guard endpoint.utf8.count <= 2048 else { return (.tooLong, "must be at most 2048 bytes") }
        guard
            !endpoint.unicodeScalars.contains(where: {
                $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F
            })
        else {
            return (.invalidFormat, "must not contain whitespace or control characters")
        }
        guard let schemeEnd = endpoint.firstRange(of: "://") else {
            return (.invalidFormat, "must be an http:// or https:// URL")
        }
        let scheme = endpoint[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else {
            return (.invalidFormat, "must use http or https, not '\(scheme)'")
        }
        let rest = endpoint[schemeEnd.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        if authority.contains("@") {
            return (.notAllowed, "must not contain credentials (user:password@); send them as secrets")
        }
        if rest.contains("?") || rest.contains("#") {
            return (.invalidFormat, "must not have a query or fragment")
        }
        return Self.problem(withAuthority: authority)
    }

    private static func problem(withAuthority authority: Substring) -> (code: FieldError.Code, message: String)? {
        let host: Substring
        let port: Substring?
        if authority.hasPrefix("[") {
            // An IPv6 literal: [addr] or [addr]:port.
            guard let close = authority.firstIndex(of: "]") else {
                return (.invalidFormat, "has an unterminated IPv6 address")
            }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if after.isEmpty {
                port = nil
            } else {
                guard after.hasPrefix(":") else { return (.invalidFormat, "has junk after the IPv6 address") }
                port = after.dropFirst()
            }
            guard !host.isEmpty, host.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else {
                return (.invalidFormat, "has an invalid IPv6 address")
            }
        } else {
            let parts = authority.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            host = parts[0]
            port = parts.count > 1 ? parts[1] : nil
            guard !host.isEmpty else { return (.invalidFormat, "must name a host") }
            guard host.utf8.count <= 253, host.allSatisfy(Self.isHostCharacter) else {
                return (.invalidFormat, "has an invalid host name")
            }
        }
        if let port {
            guard !port.isEmpty, port.count <= 5, port.allSatisfy(\.isASCIIDigit), let number = Int(port),
                (1...65535).contains(number)
            else {
                return (.outOfRange, "must have a port between 1 and 65535")
            }
        }
        return nil
    }

    private static func isHostCharacter(_ character: Character) -> Bool {
        character.isASCIIAlphanumeric || character == "-" || character == "." || character == "_"
    }
}

extension Character {
    /// `0`–`9`.
    var isASCIIDigit: Bool { self.isASCII && self.isNumber }
    /// `a`–`z`, `A`–`Z`, `0`–`9`.
    var isASCIIAlphanumeric: Bool { self.isASCII && (self.isLetter || self.isNumber) }
}
