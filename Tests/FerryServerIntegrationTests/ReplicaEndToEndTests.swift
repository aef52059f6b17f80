import FerryProto
import FerryTestSupport
import Foundation
import Testing

/// Two real `ferryd` replicas sharing one database (a SQLite file, or PostgreSQL), a real worker
/// and `ferryctl` given both addresses: losing the replica a client uses moves the client to the
/// other.
@Suite(.serialized, .timeLimit(.minutes(8)))
struct ReplicaEndToEndTests {
    @Test(arguments: [false, true])
    func killNineOfTheReplicaAWorkerStreamsToMovesItAndTheSyncCompletesWithEveryTaskOnce(onPostgres: Bool) async throws {
        let world = try await World(
            staleAfterSeconds: 10, batchSize: 50, replicas: 1,
            databaseURL: onPostgres ? try await PostgresServer.shared().createDatabase() : nil)
        defer { world.cleanUp() }
        let storage = try await world.runningSync(files: 20_000)
        let servers = [world.daemon] + world.replicas
        // The replica that handed out the job is the one the worker's connection (and so its
        // heartbeat stream) is on.
        let used = try #require(servers.first { $0.log.contains("Job claimed") }, "no replica logged the claim")
        let other = try #require(servers.first { $0 !== used })
        used.kill9()

        let done = try await world.waitForStatus(storage, in: [.completed, .failed], timeout: .seconds(240))
        #expect(done.sync?.status == .completed, "\(done.sync?.traceback ?? "")\n\(world.worker.log)")
        try await world.expectTasks(20_000)
        #expect(world.worker.isRunning)
        #expect(other.log.contains("Job finished"), "the outcome went to the surviving replica")
    }

    @Test func ferryctlGivenADeadAndALiveReplicaAnswersFromTheLiveOne() async throws {
        let world = try await World(staleAfterSeconds: 10, batchSize: 50, replicas: 1)
        defer { world.cleanUp() }
        let storage = try await world.storage(files: 3)
        world.daemon.kill9()
        let live = try #require(world.replicas.first)
        for _ in 0..<4 {  // Each run starts at a random replica.
            let output = try await world.ferryctl([
                "storage", "get", "\(storage)", "--server", "127.0.0.1:\(world.daemon.port),127.0.0.1:\(live.port)",
            ])
            #expect(output.contains("e2e"), "\(output)")
        }
    }
}
