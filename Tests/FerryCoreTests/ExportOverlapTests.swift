import FerryCore
import Testing

/// An export storage must not write where an import storage of its project scans.
@Suite struct ExportOverlapTests {
    static func settings(_ location: StorageLocation, prefix: String, recursive: Bool = true) -> StorageSettings {
        StorageSettings(projectID: 1, title: "t", location: location, prefix: prefix, recursiveScan: recursive)
    }

    static let bucket = StorageLocation.s3(S3Location(bucket: "b", region: "us-east-1"))

    @Test(arguments: [
        // (import prefix, recursive, export prefix, overlaps)
        ("", true, "out", true),
        ("data", true, "data/exports", true),
        ("data/", true, "data", true),
        ("data", false, "data", true),
        ("data", false, "data/exports", false),
        ("data", true, "data2", false),
        ("data/sub", true, "data", false),
        ("/data", true, "data/x/", true),
    ])
    func prefixes(importPrefix: String, recursive: Bool, exportPrefix: String, overlaps: Bool) {
        let conflict = ExportOverlap.conflictingImport(
            export: Self.settings(Self.bucket, prefix: exportPrefix),
            imports: [(7, Self.settings(Self.bucket, prefix: importPrefix, recursive: recursive))])
        #expect(conflict == (overlaps ? 7 : nil), "import '\(importPrefix)' recursive \(recursive), export '\(exportPrefix)'")
    }

    @Test func anotherPlaceNeverOverlapsAndTheLowestIdIsNamed() {
        let other = StorageLocation.s3(S3Location(bucket: "other", region: "us-east-1"))
        let elsewhere = StorageLocation.s3(S3Location(bucket: "b", region: "us-east-1", endpointURL: "http://minio:9000"))
        let sameBucketOtherRegion = StorageLocation.s3(S3Location(bucket: "b", region: "eu-west-1"))
        let export = Self.settings(Self.bucket, prefix: "x")
        #expect(ExportOverlap.conflictingImport(export: export, imports: [(1, Self.settings(other, prefix: ""))]) == nil)
        #expect(ExportOverlap.conflictingImport(export: export, imports: [(1, Self.settings(elsewhere, prefix: ""))]) == nil)
        #expect(
            ExportOverlap.conflictingImport(
                export: export,
                imports: [(9, Self.settings(Self.bucket, prefix: "")), (4, Self.settings(sameBucketOtherRegion, prefix: ""))])
                == 4)
        let local = Self.settings(.local(LocalLocation(path: "files/")), prefix: "out")
        #expect(
            ExportOverlap.conflictingImport(
                export: local, imports: [(2, Self.settings(.local(LocalLocation(path: "files")), prefix: ""))]) == 2)
    }
}
