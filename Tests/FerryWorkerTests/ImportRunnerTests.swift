import FerryProviders
import FerryProto
import Testing

@testable import FerryWorker

/// How the import loop groups reads.
struct ImportRunnerTests {
    @Test func readGroupsBoundBytesButKeepAtLeastOneObject() {
        let big = ImportRunner.readGroupBytes
        let objects = [
            ListedObject(key: "a", size: big / 2), ListedObject(key: "b", size: big / 2), ListedObject(key: "c", size: 1),
            ListedObject(key: "huge", size: big * 3), ListedObject(key: "d", size: 1),
        ]
        let groups = ImportRunner.readGroups(objects).map { $0.map(\.key) }
        #expect(groups == [["a", "b"], ["c"], ["huge"], ["d"]])
    }

    @Test func readGroupsOfUnsizedObjectsAreBoundedByCount() {
        let objects = (0..<600).map { ListedObject(key: "k\($0)", size: nil) }
        #expect(ImportRunner.readGroups(objects).map(\.count) == [256, 256, 88])
    }
}

/// How tasks are grouped into SubmitImportBatch requests.
struct BatchPlannerTests {
    private func rows(_ key: String, _ count: Int, bytes: Int = 10) -> [FerryV1.ImportTask] {
        (0..<count).map {
            FerryV1.ImportTask(key: key, rowIndex: Int64($0), dataJSON: String(repeating: "x", count: bytes))
        }
    }

    private func shape(_ batches: [ImportBatch]) -> [[String]] {
        batches.map { batch in batch.tasks.map { "\($0.key)#\($0.rowIndex)" } }
    }

    @Test func objectsStayWholeAndBatchesHoldAtMostMaxTasks() {
        var planner = BatchPlanner(maxTasks: 3, hardMaxTasks: 10, maxBytes: 1_000_000)
        #expect(planner.add(rows("a", 2)).isEmpty)
        #expect(shape(planner.add(rows("b", 2))) == [["a#0", "a#1"]], "b does not fit beside a")
        #expect(planner.add(rows("c", 1)).isEmpty)
        let last = planner.flush()
        #expect(shape([last ?? ImportBatch()]) == [["b#0", "b#1", "c#0"]])
        #expect(last?.partialKeys == [])
        #expect(planner.flush() == nil)
    }

    @Test func anObjectLargerThanABatchIsSplitInRowOrderAndOnlyItsLastBatchCompletesTheKey() {
        var planner = BatchPlanner(maxTasks: 2, hardMaxTasks: 10, maxBytes: 1_000_000)
        _ = planner.add(rows("a", 1))
        let ready = planner.add(rows("big", 5))
        #expect(shape(ready) == [["a#0"], ["big#0", "big#1"], ["big#2", "big#3"], ["big#4"]])
        #expect(ready.map(\.partialKeys) == [[], ["big"], ["big"], []])
        #expect(planner.flush() == nil)
    }

    @Test func theServerLimitCapsAConfiguredBatchSizeAboveIt() {
        var planner = BatchPlanner(maxTasks: 100, hardMaxTasks: 4, maxBytes: 1_000_000)
        _ = planner.add(rows("a", 1))
        let ready = planner.add(rows("huge", 9))
        #expect(ready.map(\.tasks.count) == [1, 4, 4, 1])
        #expect(ready.dropFirst().flatMap(\.tasks).map(\.rowIndex) == Array(0..<9))
        #expect(ready.map(\.partialKeys) == [[], ["huge"], ["huge"], []])
    }

    @Test func theByteBudgetSplitsObjectsAndLeavesRoomForThePartialKey() {
        // Row 1 of key "t" with 10 bytes of data is 19 bytes encoded: tag and length 2, key 3,
        // row 2, data 12; row 0 is not encoded, so 17. "t" as a partial key takes 3.
        #expect(WireSize.taskEntry(rows("t", 2, bytes: 10)[1]) == 19)
        #expect(WireSize.taskEntry(rows("t", 2, bytes: 10)[0]) == 17)
        var bytes = BatchPlanner(maxTasks: 100, hardMaxTasks: 100, maxBytes: 50)
        #expect(bytes.add(rows("s", 1)).isEmpty)
        // 4 rows (74 bytes) exceed the budget: what is pending goes first, then 2 + 2 rows
        // (3 rows and the partial key would be 58 bytes).
        let ready = bytes.add(rows("t", 4, bytes: 10))
        #expect(ready.map(\.tasks.count) == [1, 2, 2])
        #expect(ready.map(\.partialKeys) == [[], ["t"], []])
        // A row larger than the budget goes alone.
        #expect(bytes.add(rows("wide", 2, bytes: 60)).map(\.tasks.count) == [1, 1])
    }
}
