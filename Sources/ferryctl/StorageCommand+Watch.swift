import AsyncAlgorithms
import FerryCLI
import FerryProto
import Foundation

extension StorageCommand.List {
    /// `storage list --watch`: the table once the current state is in, then one line per event,
    /// flushed as it arrives; with `-o json`, every event as one JSON object per line.
    func runWatch() async throws {
        let request = FerryV1.WatchStoragesRequest(
            projectID: project, kinds: kind.flatMap(Names.parseKind).map { [$0] } ?? [])
        try await connection.withClient { client in
            try await StorageWatch(client: client, request: request).items { items in
                var current: [FerryV1.Storage] = []
                var caughtUp = false
                for try await item in items {
                    guard case .event(let event) = item else {
                        if case .reopening(let reason) = item { printError("watch dropped (\(reason)); opening it again") }
                        current = []
                        caughtUp = false
                        continue
                    }
                    if output.output == .json {
                        print(StorageOutput.eventJSON(event))
                    } else if event.type == .current, let storage = event.storage {
                        current.append(storage)
                    } else if event.type == .caughtUp, !caughtUp {
                        printStorages(current, format: output.output) { "" }
                        caughtUp = true
                    } else {
                        print(StorageOutput.eventLine(event, clock: TimeText.clock(unixMicros: nowMicros())))
                    }
                    fflush(nil)  // A pipe or a file gets each event as it happens.
                }
            }
        }
    }
}
