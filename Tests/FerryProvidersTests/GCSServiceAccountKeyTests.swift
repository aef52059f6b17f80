import Foundation
import Testing

@testable import FerryProviders

/// Parsing `application_credentials`: every missing field is named, and the key never appears
/// in an error or a description.
@Suite struct GCSServiceAccountKeyTests {
    static func fields() throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(try GCSTestKey.json().utf8)) as? [String: Any])
    }

    static func json(_ fields: [String: Any]) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: fields), as: UTF8.self)
    }

    @Test func theTestKeyParses() throws {
        let key = try GCSTestKey.key()
        #expect(key.clientEmail == "ferry-vectors@ferry-test-only.iam.gserviceaccount.com")
        #expect(key.projectID == "ferry-test-only")
        #expect(key.tokenURI == "https://oauth2.googleapis.com/token")
        #expect(!key.description.contains("PRIVATE KEY"))
        #expect(key.description.contains(key.clientEmail))
    }

    @Test(arguments: ["type", "private_key_id", "private_key", "client_email", "token_uri"])
    func aMissingFieldIsNamed(field: String) throws {
        var fields = try Self.fields()
        fields[field] = nil
        let error = #expect(throws: ProviderError.self) { try GCSServiceAccountKey(json: try Self.json(fields)) }
        #expect(error?.subject == "application_credentials")
        #expect(error?.message == "has no \(field) (expected a service-account key file)")
    }

    @Test func otherKindsOfCredentialsAndBrokenKeysAreRefusedWithoutEchoingThem() throws {
        var user = try Self.fields()
        user["type"] = "authorized_user"
        let wrongType = #expect(throws: ProviderError.self) { try GCSServiceAccountKey(json: try Self.json(user)) }
        #expect(wrongType?.message.contains("'authorized_user'") == true)

        var broken = try Self.fields()
        // The runtime key's PEM frame around a body that is no key: no key text lives in the source.
        let frame = (try #require(broken["private_key"] as? String)).split(separator: "\n")
        broken["private_key"] = "\(frame.first ?? "")\nc2VjcmV0LWJ1dC1ub3QtYS1rZXk=\n\(frame.last ?? "")\n"
        let badKey = #expect(throws: ProviderError.self) { try GCSServiceAccountKey(json: try Self.json(broken)) }
        #expect(badKey?.message == "has a private_key that is not an RSA private key in PEM form")

        let secretText = "{\"private_key\": \"c2VjcmV0LWJ1dC1ub3QtYS1rZXk"
        let notJSON = #expect(throws: ProviderError.self) { try GCSServiceAccountKey(json: secretText) }
        #expect(notJSON?.description.contains("c2VjcmV0") == false)
    }
}
