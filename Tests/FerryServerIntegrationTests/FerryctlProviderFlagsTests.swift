import Foundation
import Testing

/// `ferryctl storage create|update` take every provider's location flags, and refuse a flag that
/// belongs to another provider.
@Suite(.timeLimit(.minutes(2)))
struct FerryctlProviderFlagsTests {
    @Test func everyProvidersFlagsReachTheStoredSpec() async throws {
        let world = try await World(staleAfterSeconds: 10, batchSize: 10)
        defer { world.cleanUp() }
        let keyFile = world.daemon.localFilesRoot + "/../sa.json"
        try Data(#"{"type":"service_account"}"#.utf8).write(to: URL(fileURLWithPath: keyFile))
        let common = ["storage", "create", "--project", "7", "--kind", "import", "--title", "t", "--validate", "false", "-o", "json"]

        let s3 = try json(
            await world.ferryctl(
                common + [
                    "--provider", "s3", "--bucket", "photos", "--region", "eu-west-1", "--endpoint",
                    "http://127.0.0.1:9000", "--path-style", "true", "--prefix", "in/", "--presign", "true",
                    "--presign-ttl", "900", "--secret", "access_key_id=AKIAEXAMPLE", "--secret", "secret_access_key=s3cr3t",
                ]))
        let s3Location = try #require(s3["s3"] as? [String: Any], "\(s3)")
        #expect(s3Location["bucket"] as? String == "photos")
        #expect(s3Location["region"] as? String == "eu-west-1")
        #expect(s3Location["endpoint_url"] as? String == "http://127.0.0.1:9000")
        #expect(s3Location["force_path_style"] as? Bool == true)
        #expect(s3["prefix"] as? String == "in/")
        #expect(s3["presign"] as? Bool == true)
        #expect(s3["presign_ttl_micros"] as? Int == 900_000_000)
        #expect(Set(s3["credential_names"] as? [String] ?? []) == ["access_key_id", "secret_access_key"])

        let gcs = try json(
            await world.ferryctl(
                common + [
                    "--provider", "gcs", "--bucket", "scans", "--gcs-project", "labeling",
                    "--endpoint", "http://127.0.0.1:4443", "--secret-file", "application_credentials=\(keyFile)",
                ]))
        #expect(
            gcs["gcs"] as? [String: String]
                == ["bucket": "scans", "project": "labeling", "endpoint_url": "http://127.0.0.1:4443"])
        #expect(gcs["credential_names"] as? [String] == ["application_credentials"])

        let azure = try json(
            await world.ferryctl(common + ["--provider", "azure_blob", "--container", "frames", "--account-name", "acme"]))
        #expect(azure["azure_blob"] as? [String: String] == ["container": "frames", "account_name": "acme", "endpoint_url": ""])

        let redis = try json(
            await world.ferryctl(
                common + ["--provider", "redis", "--redis-host", "127.0.0.1", "--redis-port", "6380", "--redis-db", "2",
                          "--redis-tls", "true", "--prefix", "tasks:"]))
        let redisLocation = try #require(redis["redis"] as? [String: Any], "\(redis)")
        #expect(redisLocation["host"] as? String == "127.0.0.1")
        #expect(redisLocation["port"] as? Int == 6380)
        #expect(redisLocation["db"] as? Int == 2)
        #expect(redisLocation["use_tls"] as? Bool == true)

        let (status, refusal) = try await world.runFerryctl(common + ["--provider", "s3", "--bucket", "b", "--container", "c"])
        #expect(status != nil && status != 0)
        #expect(refusal.contains("--container does not apply to provider s3"), "\(refusal)")
    }

    private func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "\(text)")
    }
}
