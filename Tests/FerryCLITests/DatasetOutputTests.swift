import FerryCLI
import FerryProto
import Foundation
import Testing

/// How `ferryctl dataset list` prints a catalogue.
struct DatasetOutputTests {
    static let entries = [
        FerryV1.CataloguedObject(
            object: FerryV1.DatasetObject(
                key: "img/a.png", size: 2_048, etag: "e1", lastModifiedUnixMicros: Sample.now - 3_600_000_000,
                contentType: "image/png"),
            firstSeenUnixMicros: Sample.now - 7_200_000_000, updatedUnixMicros: Sample.now - 60_000_000),
        FerryV1.CataloguedObject(
            object: FerryV1.DatasetObject(key: "img/gone.png", size: 1, etag: "e2"),
            firstSeenUnixMicros: Sample.now - 7_200_000_000, updatedUnixMicros: Sample.now - 7_200_000_000,
            deletedUnixMicros: Sample.now - 30_000_000),
    ]

    @Test func tableShowsKeySizeAgeAndState() {
        let lines = DatasetOutput.table(Self.entries, wide: false, nowMicros: Sample.now).render()
            .split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }
        #expect(lines == ["KEY SIZE MODIFIED STATE", "img/a.png 2048 60m present", "img/gone.png 1 - deleted 30s ago"])
    }

    @Test func wideAddsEtagContentTypeAndTimes() {
        let header = DatasetOutput.table(Self.entries, wide: true, nowMicros: Sample.now).render()
            .split(separator: "\n").first.map(String.init) ?? ""
        #expect(header.split(separator: " ").map(String.init) == [
            "KEY", "SIZE", "MODIFIED", "STATE", "ETAG", "CONTENT-TYPE", "FIRST-SEEN", "UPDATED",
        ])
    }

    @Test func jsonCarriesEveryField() throws {
        let reply = try #require(
            try JSONSerialization.jsonObject(with: Data(DatasetOutput.json(Self.entries).utf8)) as? [String: Any])
        let parsed = try #require(reply["objects"] as? [[String: Any]])
        #expect(parsed.count == 2)
        #expect(parsed[0]["content_type"] as? String == "image/png")
        #expect(parsed[0]["size"] as? Int == 2_048)
        #expect(parsed[0]["etag"] as? String == "e1")
        #expect(parsed[0]["last_modified"] as? String == "2024-05-01T11:00:00Z")
        #expect(parsed[0]["first_seen"] as? String == "2024-05-01T10:00:00Z")
        #expect(parsed[0]["updated"] as? String == "2024-05-01T11:59:00Z")
        #expect(parsed[0]["deleted"] is NSNull, "present")
        #expect(parsed[1]["deleted"] as? String == "2024-05-01T11:59:30Z")
        #expect(parsed[1]["last_modified"] is NSNull, "not known")
    }
}
