import Testing

@testable import FerryCore

@Suite("StorageSecrets")
struct StorageSecretsTests {
    static let secrets = StorageSecrets(["secret_access_key": "s3cr3t-VALUE", "access_key_id": "AKIA-VALUE"])

    static func assertNoValue(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(!text.contains("s3cr3t"), sourceLocation: sourceLocation)
        #expect(!text.contains("AKIA"), sourceLocation: sourceLocation)
        #expect(!text.contains("VALUE"), sourceLocation: sourceLocation)
    }

    @Test("description, debugDescription and interpolation show names, never values")
    func describing() {
        let text = String(describing: Self.secrets)
        #expect(text == "StorageSecrets(access_key_id: <redacted>, secret_access_key: <redacted>)")
        Self.assertNoValue(String(reflecting: Self.secrets))
        Self.assertNoValue("\(Self.secrets)")
        Self.assertNoValue(Self.secrets.debugDescription)
    }

    @Test("dump never prints a value")
    func dumping() {
        var text = ""
        dump(Self.secrets, to: &text)
        #expect(text.contains("access_key_id"))
        #expect(text.contains("<redacted>"))
        Self.assertNoValue(text)
    }

    @Test("Values stay hidden inside containers and other values")
    func nested() {
        struct Wrapper {
            var secrets: StorageSecrets
            var other = 1
        }
        let wrapped = Wrapper(secrets: Self.secrets)
        Self.assertNoValue(String(describing: wrapped))
        Self.assertNoValue(String(reflecting: wrapped))
        Self.assertNoValue(String(describing: [Self.secrets]))
        Self.assertNoValue(String(describing: Optional(Self.secrets)))
        var text = ""
        dump(wrapped, to: &text)
        dump([Self.secrets], to: &text)
        Self.assertNoValue(text)
        let mirror = Mirror(reflecting: Self.secrets)
        Self.assertNoValue(mirror.children.map { "\($0.label ?? ""):\($0.value)" }.joined())
    }

    @Test("Values are read only on purpose, and an update keeps omitted secrets")
    func revealAndUpdate() {
        #expect(Self.secrets.revealValue(named: "access_key_id") == "AKIA-VALUE")
        #expect(Self.secrets.names == ["access_key_id", "secret_access_key"])
        let updated = Self.secrets.updated(with: StorageSecrets(["secret_access_key": "new", "session_token": "t"]))
        #expect(updated.revealValue(named: "access_key_id") == "AKIA-VALUE")
        #expect(updated.revealValue(named: "secret_access_key") == "new")
        #expect(updated.revealedEntries().map(\.name) == ["access_key_id", "secret_access_key", "session_token"])
        #expect(StorageSecrets.none.isEmpty)
    }

    @Test("A storage carries secret names only")
    func storageHasNames() {
        let storage = Storage(
            id: 1,
            kind: .import,
            settings: StorageSettings(projectID: 1, title: "t", location: .gcs(GCSLocation(bucket: "b"))),
            secretNames: ["b", "a"],
            createdAt: Fixture.t0,
            updatedAt: Fixture.t0
        )
        #expect(storage.hasSecrets)
        #expect(storage.secretNames == ["a", "b"])
        #expect(storage.provider == .gcs)
        #expect(storage.syncInfo == .initial)
    }
}
