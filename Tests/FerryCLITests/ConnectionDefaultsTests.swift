import FerryCLI
import Foundation
import Testing

/// `ferryctl`'s connection settings: flags beat `FERRYCTL_*` variables, which beat the file.
struct ConnectionDefaultsTests {
    @Test func flagsThenEnvironmentThenFile() {
        let merged = ConnectionDefaults.merge(
            flags: ["ca": "flag-ca.pem"],
            environment: ["FERRYCTL_CA": "env-ca.pem", "FERRYCTL_TOKEN": "env-token", "FERRYCTL_SERVER_NAME": "ferry"],
            file: ["ca": "file-ca.pem", "token": "file-token", "server": "file:1", "cert": "c.pem"]
        )
        #expect(
            merged
                == ConnectionDefaults(
                    server: "file:1", ca: "flag-ca.pem", serverName: "ferry", cert: "c.pem", key: nil, token: "env-token"))
    }

    @Test func nothingGivenMeansTheLocalDefaultServer() {
        let merged = ConnectionDefaults.merge(flags: [:], environment: [:], file: [:])
        #expect(merged.server == ConnectionDefaults.defaultServer)
        #expect(merged.ca == nil && merged.token == nil)
    }

    @Test func emptyValuesDoNotOverride() {
        let merged = ConnectionDefaults.merge(flags: [:], environment: ["FERRYCTL_SERVER": ""], file: ["server": "h:2"])
        #expect(merged.server == "h:2")
    }

    @Test func configPathPrefersTheFlagThenTheVariable() {
        #expect(ConnectionDefaults.configPath(flag: "a.json", environment: ["FERRYCTL_CONFIG": "b.json"]) == "a.json")
        #expect(ConnectionDefaults.configPath(flag: nil, environment: ["FERRYCTL_CONFIG": "b.json"]) == "b.json")
        #expect(ConnectionDefaults.configPath(flag: nil, environment: ["HOME": "/nonexistent-home"]) == nil)
    }

    @Test func fileMustBeAnObjectOfKnownStringKeys() throws {
        let values = try ConnectionDefaults.parseFile(Data(#"{"server":"h:1","token":"t"}"#.utf8), path: "f.json")
        #expect(values == ["server": "h:1", "token": "t"])
        for (text, expected) in [
            ("[1]", "f.json: not a JSON object"),
            (#"{"sever":"h"}"#, "f.json: unknown key 'sever'"),
            (#"{"server":1}"#, "f.json: 'server' must be a string"),
        ] {
            let error = #expect(throws: ConnectionDefaultsError.self) {
                try ConnectionDefaults.parseFile(Data(text.utf8), path: "f.json")
            }
            #expect(error?.message.hasPrefix(expected) == true, "\(text)")
        }
    }
}
