public import Configuration

/// When a connection's silent peer is pinged and given up on (PROTOCOL.md §7.4), read from
/// `keepalive.intervalSeconds` and `keepalive.timeoutSeconds`.
public struct KeepaliveSettings: Sendable, Equatable {
    /// Inbound silence after which the peer is pinged.
    public var interval: Duration
    /// How long a pinged peer has to answer before the connection is closed.
    public var timeout: Duration

    /// Creates settings.
    ///
    /// - Parameters:
    ///   - interval: Inbound silence after which the peer is pinged.
    ///   - timeout: How long a pinged peer has to answer.
    public init(interval: Duration, timeout: Duration) {
        self.interval = interval
        self.timeout = timeout
    }

    /// The two keys as `--help` and the README document them.
    ///
    /// - Parameters:
    ///   - defaults: The values used when a key is not set.
    ///   - peer: Who is pinged, for the help text ("a client", "the server").
    /// - Returns: `keepalive.intervalSeconds` and `keepalive.timeoutSeconds`.
    public static func documentedKeys(defaults: KeepaliveSettings, peer: String) -> [DocumentedSetting] {
        [
            .init("keepalive.intervalSeconds", Self.text(defaults.interval), "inbound silence after which \(peer) is pinged"),
            .init("keepalive.timeoutSeconds", Self.text(defaults.timeout), "how long \(peer) has to answer a ping before the connection is closed"),
        ]
    }

    /// Reads both keys.
    ///
    /// - Parameters:
    ///   - config: A reader over flags, environment and file.
    ///   - defaults: The values used when a key is not set.
    /// - Returns: The settings.
    /// - Throws: ``SettingsError`` naming a key whose value is not a positive number of seconds.
    public static func load(from config: ConfigReader, defaults: KeepaliveSettings) throws -> KeepaliveSettings {
        KeepaliveSettings(
            interval: try positiveSeconds(config, "keepalive.intervalSeconds", default: defaults.interval),
            timeout: try positiveSeconds(config, "keepalive.timeoutSeconds", default: defaults.timeout)
        )
    }

    private static func positiveSeconds(_ config: ConfigReader, _ key: String, default value: Duration) throws -> Duration {
        let seconds = config.double(forKey: ConfigKey(key), default: Self.seconds(value))
        guard seconds.isFinite, seconds >= 0.001, seconds <= 86_400 else {
            throw SettingsError(key: key, message: "must be a positive number of seconds (0.001 to 86400)")
        }
        return .microseconds(Int64(seconds * 1_000_000))
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    private static func text(_ duration: Duration) -> String {
        let seconds = Self.seconds(duration)
        return seconds == seconds.rounded() ? "\(Int64(seconds))" : "\(seconds)"
    }
}
