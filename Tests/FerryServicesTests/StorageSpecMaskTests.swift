import FerryProto
import FerryRPC
import Testing

@testable import FerryServices

/// `update_mask`: only the named fields change; unknown and fixed paths are refused by name.
@Suite struct StorageSpecMaskTests {
    static let current = FerryV1.StorageSpec(
        projectID: 7, title: "old", kind: .import, provider: .s3, prefix: "in/", regexFilter: ".*",
        synchronizable: true, s3: FerryV1.S3Location(bucket: "b", region: "eu-west-1"))

    @Test func appliesOnlyTheMaskedFields() throws {
        let partial = FerryV1.StorageSpec(title: "new", s3: FerryV1.S3Location(bucket: "ignored", region: "us-east-1"))
        let merged = try StorageSpecMask(["title", "s3.region"]).apply(partial, to: Self.current)
        var expected = Self.current
        expected.title = "new"
        expected.s3?.region = "us-east-1"
        #expect(merged == expected)
    }

    @Test func aWholeLocationAndANewProviderKeepOnlyThatLocation() throws {
        let requested = FerryV1.StorageSpec(provider: .gcs, gcs: FerryV1.GCSLocation(bucket: "g", project: "p"))
        let merged = try StorageSpecMask(["provider", "gcs"]).apply(requested, to: Self.current)
        #expect(merged.provider == .gcs)
        #expect(merged.gcs == FerryV1.GCSLocation(bucket: "g", project: "p"))
        #expect(merged.s3 == nil)
        #expect(merged.title == "old")
    }

    @Test func anEmptyMaskReplacesEverythingButProjectAndKind() throws {
        let requested = FerryV1.StorageSpec(projectID: 99, title: "all new", provider: .local, local: .init(path: "x"))
        let merged = try StorageSpecMask([]).apply(requested, to: Self.current)
        #expect(merged.projectID == 7)
        #expect(merged.kind == .import)
        #expect(merged.title == "all new")
        #expect(merged.s3 == nil)
    }

    @Test func unknownAndFixedPathsAreRefusedByName() {
        let unknown = #expect(throws: RPCError.self) { try StorageSpecMask(["title", "bucket", "s3.nope"]) }
        #expect(unknown?.code == .invalidArgument)
        #expect(unknown?.message == "update_mask: unknown paths bucket, s3.nope")
        #expect(throws: Never.self) { try StorageSpecMask(["gcs.endpoint_url"]) }
        let fixed = #expect(throws: RPCError.self) { try StorageSpecMask(["kind", "title"]) }
        #expect(fixed?.code == .invalidArgument)
        #expect(fixed?.message.contains("kind cannot change") == true)
    }
}
