import FerryProto
import Testing

@testable import FerryWorker

/// Task files: JSON object, JSON list and JSONL become rows; text that is not JSON fails with
/// the key and the line.
struct TaskFileParserTests {
    private func parse(_ text: String, key: String = "k.json") throws(TaskFileError) -> [TaskFileParser.Row] {
        try TaskFileParser.parse(Array(text.utf8), key: key)
    }

    @Test func jsonObjectIsOneTaskWithItsOwnText() throws {
        let rows = try parse("  {\"text\": \"a/b\", \"n\": 1}\n")
        #expect(rows == [TaskFileParser.Row(rowIndex: 0, json: "{\"text\": \"a/b\", \"n\": 1}")])
    }

    @Test func jsonListIsOneTaskPerElementInOrder() throws {
        let rows = try parse(#"[{"a":1},{"a":2},{"a":3}]"#)
        #expect(rows.map(\.rowIndex) == [0, 1, 2])
        #expect(rows.map(\.json) == [#"{"a":1}"#, #"{"a":2}"#, #"{"a":3}"#])
    }

    @Test func listElementsThatAreNotObjectsAreLeftForTheServerToRefuse() throws {
        let rows = try parse(#"[{"a":1}, 42, "text"]"#)
        #expect(rows.map(\.json) == [#"{"a":1}"#, "42", #""text""#])
    }

    @Test func jsonLinesAreOneTaskPerNonEmptyLine() throws {
        let rows = try parse("{\"a\":1}\n\n{\"a\":2}\r\n{\"a\":3}\n")
        #expect(rows.map(\.rowIndex) == [0, 1, 2])
        #expect(rows.map(\.json) == [#"{"a":1}"#, #"{"a":2}"#, #"{"a":3}"#])
    }

    @Test func byteOrderMarkIsIgnored() throws {
        let rows = try TaskFileParser.parse([0xEF, 0xBB, 0xBF] + Array(#"{"a":1}"#.utf8), key: "bom.json")
        #expect(rows.map(\.json) == [#"{"a":1}"#])
    }

    @Test func brokenObjectNamesTheKeyAndTheLine() {
        let error = #expect(throws: TaskFileError.self) {
            try parse("{\n  \"a\": 1,\n  \"b\": oops\n}\n", key: "dir/broken.json")
        }
        #expect(error?.key == "dir/broken.json")
        #expect(error?.line == 3)
        #expect(error?.description.hasPrefix("dir/broken.json, line 3: not valid JSON") == true)
    }

    @Test func brokenJSONLinesLineIsNamed() {
        let error = #expect(throws: TaskFileError.self) {
            try parse("{\"a\":1}\n{\"a\":2}\n{\"a\": \n{\"a\":4}\n", key: "rows.jsonl")
        }
        #expect(error?.line == 3)
        #expect(error?.message == "invalid JSON on this JSONL line")
    }

    @Test func unterminatedListFails() {
        let error = #expect(throws: TaskFileError.self) { try parse("[{\"a\":1},\n{\"a\":2}", key: "list.json") }
        #expect(error?.line == 2)
    }

    @Test func emptyFileFails() {
        let error = #expect(throws: TaskFileError.self) { try parse(" \n\t ") }
        #expect(error?.message.contains("empty") == true)
    }

    @Test func plainTextFailsOnLineOne() {
        let error = #expect(throws: TaskFileError.self) { try parse("hello world") }
        #expect(error?.line == 1)
    }

    @Test func aCancelledParseStopsConvertingRows() async throws {
        let list = "[" + (0..<5_000).map { #"{"i":\#($0)}"# }.joined(separator: ",") + "]"
        let lines = (0..<5_000).map { #"{"i":\#($0)}"# }.joined(separator: "\n")
        let counts = try await Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return [try parse(list).count, try parse(lines).count]
        }.value
        #expect(counts == [0, 0])
        #expect(try parse(list).count == 5_000)
        #expect(try parse(lines).count == 5_000)
    }
}

/// The annotation platform's task format: `data` becomes the task's data; meta, predictions and
/// annotations travel with it; plain objects are their own data.
@Suite struct PlatformTaskFormatTests {
    @Test func anObjectWithADataObjectIsThatTask() throws {
        let row = TaskFileParser.Row(
            rowIndex: 3,
            json: #"{"id":9,"data":{"image":"s3://b/1.jpg"},"meta":{"src":"cam"},"predictions":[{"result":[]}],"annotations":[]}"#)
        let task = PlatformTaskFormat.importTask(key: "k.json", row: row)
        #expect(task.key == "k.json" && task.rowIndex == 3)
        #expect(task.dataJSON == #"{"image":"s3://b/1.jpg"}"#)
        #expect(task.metaJSON == #"{"src":"cam"}"#)
        #expect(task.predictionsJSON == #"[{"result":[]}]"#)
        #expect(task.annotationsJSON == "[]")
    }

    @Test func plainDataAndADataFieldThatIsNoObjectStayAsTheyAre() {
        for json in [#"{"text":"data"}"#, #"{"data":"just a string"}"#, #"{"data":[1,2]}"#] {
            let task = PlatformTaskFormat.importTask(key: "k", row: TaskFileParser.Row(rowIndex: 0, json: json))
            #expect(task.dataJSON == json)
            #expect(task.metaJSON.isEmpty && task.predictionsJSON.isEmpty && task.annotationsJSON.isEmpty)
        }
    }
}
