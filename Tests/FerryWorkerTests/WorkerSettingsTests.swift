import Configuration
import FerryCore
import FerryProto
import FerrySettings
import FerryTransport
import FerryWorker
import Testing

/// `ferry-worker` settings: required TLS files, defaults, and refusals that name the key.
struct WorkerSettingsTests {
    private func load(_ values: [String: ConfigValue]) throws -> WorkerSettings {
        var keyed: [AbsoluteConfigKey: ConfigValue] = [:]
        for (key, value) in values {
            keyed[AbsoluteConfigKey(key.split(separator: ".").map(String.init))] = value
        }
        return try WorkerSettings.load(from: ConfigReader(provider: InMemoryProvider(values: keyed)))
    }

    private let tls: [String: ConfigValue] = ["tls.ca": "ca.pem", "tls.cert": "w.pem", "tls.key": "w.key"]

    @Test func defaultsApply() throws {
        let settings = try load(tls)
        #expect(settings.servers.addresses == [ListenAddress(host: "127.0.0.1", port: 7443)])
        #expect(settings.serverName == nil)
        #expect(settings.maxJobs == 2)
        #expect(settings.batchSize == 5000)
        #expect(settings.acquireWait == .seconds(20))
        #expect(settings.localFilesRoot == nil)
        #expect(settings.keepalive == KeepaliveSettings(interval: .seconds(10), timeout: .seconds(5)))
    }

    @Test func keepaliveTimesAreReadAndMustBePositive() throws {
        var values = tls
        values["keepalive.intervalSeconds"] = 2.5
        values["keepalive.timeoutSeconds"] = 1.0
        let settings = try load(values)
        #expect(settings.keepalive == KeepaliveSettings(interval: .milliseconds(2500), timeout: .seconds(1)))
        for key in ["keepalive.intervalSeconds", "keepalive.timeoutSeconds"] {
            for bad in [ConfigValue(0.0), ConfigValue(-1.0)] {
                var values = tls
                values[key] = bad
                let error = #expect(throws: SettingsError.self) { try load(values) }
                #expect(error?.key == key)
            }
        }
        #expect(WorkerSettings.documentedKeys.contains { $0.key == "keepalive.intervalSeconds" && $0.defaultValue == "10" })
        #expect(WorkerSettings.documentedKeys.contains { $0.key == "keepalive.timeoutSeconds" && $0.defaultValue == "5" })
    }

    @Test func everyTLSFileIsRequired() {
        for missing in ["tls.ca", "tls.cert", "tls.key"] {
            var values = tls
            values[missing] = nil
            let error = #expect(throws: SettingsError.self) { try load(values) }
            #expect(error?.key == missing)
        }
    }

    @Test func valuesAreRead() throws {
        var values = tls
        values["server"] = "ferry.internal:9443"
        values["worker.maxJobs"] = 8
        values["import.batchSize"] = 250
        values["storage.localFilesRoot"] = "/srv/files"
        values["worker.acquireWaitSeconds"] = 0.5
        let settings = try load(values)
        #expect(settings.servers.addresses == [ListenAddress(host: "ferry.internal", port: 9443)])
        #expect(settings.serverName == nil)
        #expect(settings.maxJobs == 8)
        #expect(settings.batchSize == 250)
        #expect(settings.localFilesRoot == "/srv/files")
        #expect(settings.acquireWait == .milliseconds(500))
    }

    @Test func replicasAreAListAsTextOrJSONArrayAndABadElementIsNamed() throws {
        let expected = [ListenAddress(host: "ferry-a", port: 7443), ListenAddress(host: "10.0.0.2", port: 7444)]
        var values = tls
        values["server"] = "ferry-a:7443, 10.0.0.2:7444,ferry-a:7443"
        #expect(try load(values).servers.addresses == expected)
        values["server"] = .init(.stringArray(["ferry-a:7443", "10.0.0.2:7444"]), isSecret: false)
        #expect(try load(values).servers.addresses == expected)
        for bad in ["ferry-a:7443,", "ferry-a:7443,ferry-b", ""] {
            values["server"] = .init(.string(bad), isSecret: false)
            #expect(throws: SettingsError.self) { try load(values) }
        }
    }

    @Test func kindsDefaultToEveryKindAndAreReadFromTheList() throws {
        #expect(try load(tls).kinds == [.import, .export, .dataset])
        var values = tls
        values["worker.kinds"] = " Export ,import,export"
        #expect(try load(values).kinds == [.export, .import])
        for bad in ["", "import,archive", " , "] {
            values["worker.kinds"] = ConfigValue(stringLiteral: bad)
            let error = #expect(throws: SettingsError.self) { try load(values) }
            #expect(error?.key == "worker.kinds")
        }
    }

    @Test func listsGivenAsFlagsAreReadLikeText() throws {
        // A flag's `import,export` reaches the reader as a list of strings, not one string.
        var values = tls
        values["worker.kinds"] = ConfigValue(.stringArray(["export", "import"]), isSecret: false)
        values["worker.providers"] = ConfigValue(.stringArray(["s3", "redis"]), isSecret: false)
        let settings = try load(values)
        #expect(settings.kinds == [.export, .import])
        #expect(settings.providers == [.s3, .redis])
    }

    @Test func providersDefaultToAllAndANarrowedListMustOfferOne() throws {
        #expect(try load(tls).providers == nil)
        var values = tls
        values["worker.providers"] = "GCS, azure_blob"
        #expect(try load(values).providers == [.gcs, .azureBlob])
        values["storage.localFilesRoot"] = "/srv/files"
        values["worker.providers"] = "local"
        #expect(try load(values).providers == [.local])
        values["storage.localFilesRoot"] = nil
        for bad in ["local", "", " , ", "s3,s4"] {
            values["worker.providers"] = ConfigValue(stringLiteral: bad)
            let error = #expect(throws: SettingsError.self) { try load(values) }
            #expect(error?.key == "worker.providers")
        }
    }

    @Test func outOfRangeValuesNameTheirKey() {
        for (key, value) in [("import.batchSize", ConfigValue(6000)), ("worker.maxJobs", 0), ("server", "nohost")]
            as [(String, ConfigValue)]
        {
            var values = tls
            values[key] = value
            let error = #expect(throws: SettingsError.self) { try load(values) }
            #expect(error?.key == key)
        }
    }
}
