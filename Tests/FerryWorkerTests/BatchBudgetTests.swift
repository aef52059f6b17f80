import FerryProto
import Testing

@testable import FerryWorker

/// Requests are measured before they are sent: the computed sizes are the encoder's, and a
/// task that cannot fit is recognised and described with its key and the limit.
struct BatchBudgetTests {
    private let lease = FerryV1.JobLease(jobID: "job-7", leaseToken: String(repeating: "t", count: 43))

    @Test func computedSizesAreTheEncodedSizes() throws {
        let serializer = ProtobufSerializer<FerryV1.SubmitImportBatchRequest>()
        let bare = try serializer.serialize(FerryV1.SubmitImportBatchRequest(lease: lease)).count
        let tasks = [
            FerryV1.ImportTask(key: "a.json", rowIndex: 0, dataJSON: #"{"a":1}"#),
            FerryV1.ImportTask(key: "b/é.jsonl", rowIndex: 300, dataJSON: String(repeating: "x", count: 200)),
            FerryV1.ImportTask(key: "c", rowIndex: -1, dataJSON: ""),
            FerryV1.ImportTask(key: "d", rowIndex: 1 << 40, dataJSON: String(repeating: "y", count: 70_000)),
        ]
        let partial = ["b/é.jsonl"]
        let request = FerryV1.SubmitImportBatchRequest(lease: lease, tasks: tasks, partialKeys: partial)
        let computed = bare + tasks.map(WireSize.taskEntry).reduce(0, +) + partial.map(WireSize.stringField).reduce(0, +)
        #expect(try serializer.serialize(request).count == computed)
    }

    @Test func aTaskFitsUpToTheLimitWithItsKeyAsPartial() throws {
        let serializer = ProtobufSerializer<FerryV1.SubmitImportBatchRequest>()
        let limit = 100_000
        let budget = BatchBudget(messageLimit: limit, lease: lease)
        func task(_ bytes: Int) -> FerryV1.ImportTask {
            FerryV1.ImportTask(key: "big.json", rowIndex: 0, dataJSON: String(repeating: "z", count: bytes))
        }
        // The largest task that fits, by bisection.
        var (largest, tooLarge) = (0, limit)
        while tooLarge - largest > 1 {
            let middle = (largest + tooLarge) / 2
            if budget.fits(task(middle)) { largest = middle } else { tooLarge = middle }
        }
        let fullest = FerryV1.SubmitImportBatchRequest(lease: lease, tasks: [task(largest)], partialKeys: ["big.json"])
        let encoded = try serializer.serialize(fullest).count
        #expect(encoded <= limit)
        #expect(encoded >= limit - 2, "the budget wastes \(limit - encoded) bytes")
        #expect(!budget.fits(task(largest + 1)))

        let error = budget.oversizeError(task(largest + 1))
        #expect(error.key == "big.json")
        #expect(error.message.contains("\(limit) bytes"), "\(error.message)")
    }
}
