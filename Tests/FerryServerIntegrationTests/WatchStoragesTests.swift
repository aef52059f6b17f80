import FerryProto
import FerryRPC
import FerryTestSupport
import Foundation
import Testing

/// WatchStorages against a real ferryd over TLS: the current state, then every change; a worker
/// killed with -9 arrives as the HEARTBEAT_TIMEOUT verdict of the server's own sweep, with no
/// list or get call made by anyone.
@Suite(.timeLimit(.minutes(3)))
struct WatchStoragesTests {
    @Test func aKilledWorkersVerdictArrivesOnTheStreamWithoutAnyListCall() async throws {
        let staleAfter = 3.0
        let ping = 0.5
        let world = try await World(staleAfterSeconds: staleAfter, pingIntervalSeconds: ping, batchSize: 50)
        defer { world.cleanUp() }
        let storage = try await world.storage(files: 20_000)
        try world.worker.start()
        let worker = world.worker
        // The only calls made: CreateStorage above, then StartSync and the watch itself.

        let (events, killed, verdictArrived) = try await world.admin { client in
            try await client.watch(FerryV1.WatchStoragesRequest(storageIDs: [storage])) { stream in
                var events: [FerryV1.WatchStoragesResponse] = []
                var killed: ContinuousClock.Instant?
                for try await event in stream {
                    events.append(event)
                    if event.type == .caughtUp { _ = try await client.startSync(storage) }
                    guard let sync = event.storage?.sync else { continue }
                    // Killed once the stream has shown progress: the sync is well under way.
                    if killed == nil, event.type == .progress, sync.lastSyncCount > 0 {
                        worker.kill9()
                        killed = .now
                    }
                    if sync.status == .failed || sync.status == .completed { return (events, killed, (instant: ContinuousClock.now, wallClock: Date().timeIntervalSince1970)) }
                }
                throw RPCError(code: .internal, message: "the watch ended: \(events.map(\.type))")
            }
        }
        let types: [FerryV1.StorageEventType] = events.map(\.type)
        #expect(Array(types.prefix(2)) == [.current, .caughtUp], "\(types)")
        let statuses: [FerryV1.SyncStatus] = events.filter { $0.type == .changed }.compactMap { $0.storage?.sync?.status }
        #expect(statuses == [.queued, .inProgress, .failed], "\(types) \(statuses)")
        let last = try #require(events.last?.storage?.sync)
        #expect(last.status == .failed && last.meta?.terminationReason == .heartbeatTimeout, "\(last)")

        let killedAt = try #require(killed, "the stream never showed progress")
        let waited = verdictArrived.instant - killedAt
        let meta = last.meta
        // Detection on the server's clock: the verdict's time against the last ping it went by.
        let silence = Double((meta?.timeFailureUnixMicros ?? 0) - (meta?.timeLastPingUnixMicros ?? 0)) / 1_000_000
        // Delivery: from the verdict's time to its arrival on the stream (one machine, one wall clock).
        let delivery = verdictArrived.wallClock - Double(meta?.timeFailureUnixMicros ?? 0) / 1_000_000
        print("WatchStorages: HEARTBEAT_TIMEOUT verdict on the stream \(waited) after kill -9, \(silence) s of silence on the server's clock, delivered \(delivery) s after it (stale_after \(staleAfter) s, ping \(ping) s)")
        // Never before stale_after of silence (the stored last ping is never newer than the
        // heartbeat detection went by) ...
        #expect(silence >= staleAfter, "failed after \(silence) s of silence")
        // ... and settled by the sweep, which runs once per ping interval: within stale_after plus
        // one interval of the last ping, then straight onto the stream. Each bound has room for a
        // loaded two-core runner, where one sweep or one write can lag by a few seconds; a verdict
        // that waited for anything but the sweep (a list call, a restart) would never come at all.
        let room = 3.0
        #expect(silence < staleAfter + ping + room, "verdict after \(silence) s of silence")
        #expect(delivery < room, "verdict delivered \(delivery) s after it was reached")
        #expect(waited < .seconds(staleAfter + ping + 2 * room), "verdict after \(waited)")

        // Progress came at most once per ping interval: the ticks between claim and verdict.
        let progress = events.filter { $0.type == .progress }.count
        let running = (last.meta?.timeFailureUnixMicros ?? 0) - (last.meta?.timeInProgressUnixMicros ?? 0)
        #expect(progress <= Int(Double(running) / 1_000_000 / ping) + 1, "\(progress) progress events in \(running) µs")
    }

    @Test func theStreamFollowsItsFilterThroughCreateSyncAndDelete() async throws {
        let world = try await World(staleAfterSeconds: 30, batchSize: 50)
        defer { world.cleanUp() }
        // Through ferryctl as well: every event as one JSON line, flushed into the pipe.
        let (ferryctl, output) = try world.startFerryctl(["storage", "list", "--watch", "--project", "\(World.projectID)", "-o", "json"])
        defer { TestProcesses.reapKilled(ferryctl) }
        var printed = Self.read(output, until: #""type":"caught_up""#)

        let events = try await world.admin { client in
            try await client.watch(FerryV1.WatchStoragesRequest(projectID: World.projectID)) { stream in
                var events: [FerryV1.WatchStoragesResponse] = []
                var storage: Int64 = 0
                for try await event in stream {
                    events.append(event)
                    switch event.type {
                    case .caughtUp:
                        // Another project's storage is not followed.
                        var other = FerryV1.CreateStorageRequest()
                        other.spec = FerryV1.StorageSpec(
                            projectID: World.projectID + 1, title: "other", kind: .import, provider: .local,
                            synchronizable: true, local: FerryV1.LocalLocation(path: "other"))
                        _ = try await client.createStorage(other)
                        storage = try #require(try await client.createStorage(Self.request()).storage).id
                    case .changed where event.storage?.sync?.status == .initialized:
                        _ = try await client.startSync(storage)  // No worker runs: it stays queued.
                    case .changed where event.storage?.sync?.status == .queued:
                        _ = try await client.unary(
                            FerryClient.Storage.deleteStorage, FerryV1.DeleteStorageRequest(id: storage, force: true),
                            as: FerryV1.DeleteStorageResponse.self)
                    case .deleted:
                        return events
                    default:
                        break
                    }
                }
                throw RPCError(code: .internal, message: "the watch ended: \(events.map(\.type))")
            }
        }
        let types: [FerryV1.StorageEventType] = events.map(\.type)
        #expect(types == [.caughtUp, .changed, .changed, .deleted], "\(events)")
        #expect(Set(events.dropFirst().map(\.storageID)).count == 1, "\(events)")

        printed += Self.read(output, until: #""type":"deleted""#)
        let lines = printed.split(separator: "\n")
        #expect(lines.filter { $0.contains(#""type":"changed""#) }.count == 2, "ferryctl printed:\n\(printed)")
        #expect(!printed.contains(#""title":"other""#), "ferryctl printed another project's storage:\n\(printed)")
        #expect(ferryctl.isRunning, "ferryctl stopped watching:\n\(printed)")
    }

    /// What `pipe` receives until `marker` (or its end). Blocks while the child writes nothing:
    /// the suite's time limit bounds it.
    static func read(_ pipe: Pipe, until marker: String) -> String {
        var seen = ""
        while !seen.contains(marker) {
            let chunk = pipe.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            seen += String(decoding: chunk, as: UTF8.self)
        }
        return seen
    }

    @Test func aWatchEndsWithUnavailableAtOnceWhenFerrydShutsDown() async throws {
        let world = try await World(staleAfterSeconds: 30, batchSize: 50, gracePeriodSeconds: 20)
        defer { world.cleanUp() }
        let (caughtUp, signal) = AsyncStream.makeStream(of: Void.self)
        let daemon = world.daemon
        async let ended: RPCError? = world.admin { client in
            do {
                try await client.watch(FerryV1.WatchStoragesRequest(projectID: World.projectID)) { stream in
                    for try await event in stream where event.type == .caughtUp { signal.yield() }
                }
                return nil
            } catch let error as RPCError {
                return error
            }
        }
        for await _ in caughtUp { break }
        let stopping = ContinuousClock.now
        await daemon.stop()  // SIGTERM; a watch must not hold the 20-s grace period.
        let stopped = ContinuousClock.now - stopping
        let error = try await ended
        #expect(error?.code == .unavailable, "\(String(describing: error))")
        #expect(stopped < .seconds(10), "ferryd took \(stopped) to stop with a watch open")
    }

    static func request() -> FerryV1.CreateStorageRequest {
        FerryV1.CreateStorageRequest(
            spec: FerryV1.StorageSpec(
                projectID: World.projectID, title: "watched", kind: .import, provider: .local, synchronizable: true,
                local: FerryV1.LocalLocation(path: "watched")))
    }
}
