/// A `host:port` pair parsed from configuration, such as `127.0.0.1:7443` or `[::1]:7443`.
public struct ListenAddress: Sendable, Hashable, CustomStringConvertible {
    /// The host name or IP address.
    public var host: String
    /// The TCP port.
    public var port: Int

    /// An address from its parts.
    ///
    /// - Parameters:
    ///   - host: The host name or IP address (IPv6 without brackets).
    ///   - port: The TCP port.
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `host:port`; IPv6 hosts are written in brackets.
    ///
    /// - Parameter text: The address.
    /// - Throws: ``ListenAddress/ParseError`` when it is not of that form or the port is out of range.
    public init(_ text: String) throws {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65535).contains(port)
        else {
            throw ParseError(text: text)
        }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") {
            host = String(host.dropFirst().dropLast())
        }
        guard !host.isEmpty else { throw ParseError(text: text) }
        self.host = host
        self.port = port
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// The text was not a valid `host:port`.
    public struct ParseError: Error, CustomStringConvertible {
        /// The text that failed to parse.
        public var text: String
        public var description: String { "'\(text)' is not a valid host:port address" }
    }
}
