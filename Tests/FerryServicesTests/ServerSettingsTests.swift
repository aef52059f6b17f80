import Configuration
import FerrySettings
import Testing

@testable import FerryServices

/// `ferryd` settings: the keepalive keys, their defaults and their validation.
@Suite struct ServerSettingsTests {
    /// Readable stand-ins for the TLS files, which the loader only checks for readability.
    private let tls: [String: ConfigValue] = ["tls.cert": "/dev/null", "tls.key": "/dev/null", "tls.ca": "/dev/null"]

    private func load(_ values: [String: ConfigValue]) throws -> ServerSettings {
        var keyed: [AbsoluteConfigKey: ConfigValue] = [:]
        for (key, value) in values {
            keyed[AbsoluteConfigKey(key.split(separator: ".").map(String.init))] = value
        }
        return try ServerSettings.load(from: ConfigReader(provider: InMemoryProvider(values: keyed)))
    }

    @Test func keepaliveDefaultsToThirtyAndTenSeconds() throws {
        let settings = try load(tls)
        #expect(settings.keepalive == KeepaliveSettings(interval: .seconds(30), timeout: .seconds(10)))
        let documented = Dictionary(uniqueKeysWithValues: ServerSettings.documentedKeys.map { ($0.key, $0.defaultValue) })
        #expect(documented["keepalive.intervalSeconds"] == "30")
        #expect(documented["keepalive.timeoutSeconds"] == "10")
    }

    @Test func keepaliveTimesAreRead() throws {
        var values = tls
        values["keepalive.intervalSeconds"] = 0.5
        values["keepalive.timeoutSeconds"] = 3.0
        let settings = try load(values)
        #expect(settings.keepalive == KeepaliveSettings(interval: .milliseconds(500), timeout: .seconds(3)))
    }

    @Test func aKeepaliveTimeThatIsNotPositiveNamesItsKey() {
        for key in ["keepalive.intervalSeconds", "keepalive.timeoutSeconds"] {
            for bad in [ConfigValue(0.0), ConfigValue(-2.0), ConfigValue(100_000.0)] {
                var values = tls
                values[key] = bad
                let error = #expect(throws: SettingsError.self) { try load(values) }
                #expect(error?.key == key)
            }
        }
    }
}
