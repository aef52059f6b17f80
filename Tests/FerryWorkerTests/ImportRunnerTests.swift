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
}
