import ArgumentParser
import FerryCLI
import FerryProto
import Foundation

/// `ferryctl annotations put|delete`: hands the platform's annotations to Ferry for export.
struct AnnotationsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "annotations",
        abstract: "Put or delete annotations (what export storages write out).",
        subcommands: [Put.self, Delete.self]
    )

    /// The most annotations one call carries.
    static let perCall = 1_000

    struct Put: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create or replace annotations from a JSON file.",
            discussion: """
                The file holds a JSON list of annotations, each {"id": <platform id>, "task": <task id>, \
                "result": <JSON list or object>, "completed_by": "...", "created_at": ..., "updated_at": ...}; \
                times are ISO 8601 strings or Unix microseconds, and may be left out (the server's clock). \
                A stored annotation is replaced only by a newer updated_at. Sent 1,000 per call.
                """
        )

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var output: ReplyOutputOptions

        @Option(help: "Project id.")
        var project: Int64

        @Option(help: "The JSON file ('-' for standard input).")
        var file: String

        func run() async throws {
            let data: Data
            if file == "-" {
                data = FileHandle.standardInput.readDataToEndOfFile()
            } else {
                guard let contents = FileManager.default.contents(atPath: file) else {
                    throw ValidationError("--file: cannot read \(file)")
                }
                data = contents
            }
            let inputs = try AnnotationFile.inputs(from: data)
            var stored = FerryV1.PutAnnotationsResponse()
            try await connection.withClient { client in
                for start in stride(from: 0, to: inputs.count, by: AnnotationsCommand.perCall) {
                    let chunk = Array(inputs[start..<min(start + AnnotationsCommand.perCall, inputs.count)])
                    let reply = try await connection.unary(
                        client, FerryV1.Methods.StorageService.putAnnotations,
                        FerryV1.PutAnnotationsRequest(projectID: project, annotations: chunk),
                        as: FerryV1.PutAnnotationsResponse.self)
                    stored.annotations += reply.annotations
                    stored.unchanged += reply.unchanged
                }
            }
            output.print(
                json: ReplyJSON.putAnnotations(stored),
                text: "put \(stored.annotations.count) annotations (\(stored.unchanged) unchanged: the stored ones were as new or newer)")
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete annotations by id.")

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var output: ReplyOutputOptions

        @Option(help: "Project id.")
        var project: Int64

        @Argument(help: "Annotation ids.")
        var ids: [Int64]

        func validate() throws {
            guard !ids.isEmpty else { throw ValidationError("give at least one annotation id") }
        }

        func run() async throws {
            var deleted = FerryV1.DeleteAnnotationsResponse()
            try await connection.withClient { client in
                for start in stride(from: 0, to: ids.count, by: AnnotationsCommand.perCall) {
                    let chunk = Array(ids[start..<min(start + AnnotationsCommand.perCall, ids.count)])
                    deleted.deleted += try await connection.unary(
                        client, FerryV1.Methods.StorageService.deleteAnnotations,
                        FerryV1.DeleteAnnotationsRequest(projectID: project, annotationIDs: chunk),
                        as: FerryV1.DeleteAnnotationsResponse.self
                    ).deleted
                }
            }
            output.print(json: ReplyJSON.deleteAnnotations(deleted), text: "deleted \(deleted.deleted) annotations")
        }
    }
}

/// Reads `ferryctl annotations put`'s file.
enum AnnotationFile {
    /// The annotations of a file, validated enough to name the entry that is wrong.
    static func inputs(from data: Data) throws -> [FerryV1.AnnotationInput] {
        guard let list = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]] else {
            throw ValidationError("--file: expected a JSON list of annotation objects")
        }
        return try list.enumerated().map { index, entry in
            func number(_ name: String) throws -> Int64? {
                guard let value = entry[name] else { return nil }
                guard !(value is Bool), let number = value as? NSNumber else {
                    throw ValidationError("--file: entry \(index): \(name) must be a number")
                }
                return number.int64Value
            }
            guard let id = try number("id"), let task = try number("task") ?? number("task_id") else {
                throw ValidationError("--file: entry \(index): needs an id and a task")
            }
            guard let result = entry["result"], JSONSerialization.isValidJSONObject(result) else {
                throw ValidationError("--file: entry \(index) (id \(id)): result must be a JSON list or object")
            }
            let resultJSON = String(decoding: try JSONSerialization.data(withJSONObject: result), as: UTF8.self)
            return FerryV1.AnnotationInput(
                taskID: task, annotationID: id, resultJSON: resultJSON,
                completedBy: "\(entry["completed_by"].map { "\($0)" } ?? "")",
                createdUnixMicros: try micros(entry["created_at"], "created_at", index),
                updatedUnixMicros: try micros(entry["updated_at"], "updated_at", index))
        }
    }

    /// A time given as Unix microseconds or an ISO 8601 string; 0 when absent.
    private static func micros(_ value: Any?, _ name: String, _ index: Int) throws -> Int64 {
        switch value {
        case nil, is NSNull:
            return 0
        case let number as NSNumber:
            return number.int64Value
        case let text as String:
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            let plain = ISO8601DateFormatter()
            guard let date = formatter.date(from: text) ?? plain.date(from: text) else {
                throw ValidationError("--file: entry \(index): \(name) '\(text)' is not an ISO 8601 time")
            }
            return Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
        default:
            throw ValidationError("--file: entry \(index): \(name) must be a time")
        }
    }
}
