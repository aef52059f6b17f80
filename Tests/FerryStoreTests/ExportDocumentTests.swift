import FerryCore
import Testing

@testable import FerryStore

/// The export JSON the PostgreSQL store assembles: SQLite's `strftime` times and embedded JSON.
struct ExportDocumentTests {
    @Test func timesAreUTCWithMilliseconds() {
        #expect(ExportDocument.isoTime(Fixture.t0) == "2024-05-01T12:00:00.000Z")
        #expect(ExportDocument.isoTime(FerryTime(unixMicroseconds: 0)) == "1970-01-01T00:00:00.000Z")
        #expect(ExportDocument.isoTime(FerryTime(unixMicroseconds: -1)) == "1969-12-31T23:59:59.999Z")
        #expect(ExportDocument.isoTime(FerryTime(unixMicroseconds: 951_782_400_123_456)) == "2000-02-29T00:00:00.123Z")
    }

    @Test func documentEmbedsStoredJSON() {
        let annotation = AnnotationRecord(
            id: 9, taskID: 3, resultJSON: #"["a"]"#, completedBy: "ann \"x\"", createdAt: Fixture.t0,
            updatedAt: Fixture.t0)
        let content = ExportDocument.content(
            taskID: 3, data: #"{"text":"hi"}"#, meta: nil, predictions: "[]", createdAt: Fixture.t0,
            annotations: [annotation])
        #expect(
            content
                == #"{"id":3,"data":{"text":"hi"},"meta":{},"predictions":[],"annotations":[{"id":9,"task":3,"result":["a"],"completed_by":"ann \"x\"","created_at":"2024-05-01T12:00:00.000Z","updated_at":"2024-05-01T12:00:00.000Z"}],"created_at":"2024-05-01T12:00:00.000Z"}"#
        )
    }
}
