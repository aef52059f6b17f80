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

    private func shape(_ batches: [[FerryV1.ImportTask]]) -> [[String]] {
        batches.map { batch in batch.map { "\($0.key)#\($0.rowIndex)" } }
    }

    @Test func objectsStayWholeAndBatchesHoldAtMostMaxTasks() {
        var planner = BatchPlanner(maxTasks: 3, hardMaxTasks: 10, maxBytes: 1_000_000)
        #expect(planner.add(rows("a", 2)).isEmpty)
        #expect(shape(planner.add(rows("b", 2))) == [["a#0", "a#1"]], "b does not fit beside a")
        #expect(planner.add(rows("c", 1)).isEmpty)
        #expect(shape([planner.flush() ?? []]) == [["b#0", "b#1", "c#0"]])
        #expect(planner.flush() == nil)
    }

    @Test func anObjectLargerThanABatchButWithinTheServerLimitStaysWhole() {
        var planner = BatchPlanner(maxTasks: 2, hardMaxTasks: 10, maxBytes: 1_000_000)
        #expect(planner.add(rows("big", 5)).isEmpty)
        #expect(planner.flush()?.count == 5)
    }

    @Test func objectsBeyondTheServerLimitOrTheByteBudgetAreSplitInOrder() {
        var planner = BatchPlanner(maxTasks: 100, hardMaxTasks: 4, maxBytes: 1_000_000)
        _ = planner.add(rows("a", 1))
        let ready = planner.add(rows("huge", 9))
        #expect(ready.map(\.count) == [1, 4, 4, 1])
        #expect(ready.dropFirst().flatMap { $0 }.map(\.rowIndex) == Array(0..<9))

        var bytes = BatchPlanner(maxTasks: 100, hardMaxTasks: 100, maxBytes: 100)
        #expect(bytes.add(rows("wide", 3, bytes: 40)).map(\.count) == [1, 1, 1])
        #expect(bytes.add(rows("s", 1)).isEmpty)
        // 4 rows of 27 bytes exceed the budget: what is pending goes first, then 3 + 1 rows.
        #expect(bytes.add(rows("t", 4, bytes: 10)).map(\.count) == [1, 3, 1])
    }
}
