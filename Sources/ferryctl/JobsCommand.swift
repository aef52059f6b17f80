import ArgumentParser
import FerryCLI
import FerryProto
import FerryRPC

/// `ferryctl jobs list|delete`: the queue, and an operator's purge.
struct JobsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs",
        abstract: "Show and manage sync jobs.",
        subcommands: [List.self, Delete.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the queued and running jobs, oldest first, under a line with the queue's depth.")

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var output: OutputOptions

        @Option(help: "Only jobs in this state: queued or running.")
        var state: String?

        func validate() throws {
            if let state, Self.state(state) == nil { throw ValidationError("--state must be queued or running") }
        }

        func run() async throws {
            let states = state.flatMap(Self.state).map { [$0] } ?? []
            let reply = try await connection.withClient { client in
                // One reply with every page's jobs and the last page's counts.
                var reply = FerryV1.ListJobsResponse()
                repeat {
                    let page = try await connection.unary(
                        client, FerryV1.Methods.StorageService.listJobs,
                        FerryV1.ListJobsRequest(states: states, pageSize: 1_000, pageToken: reply.nextPageToken),
                        as: FerryV1.ListJobsResponse.self)
                    reply.jobs += page.jobs
                    reply.nextPageToken = page.nextPageToken
                    reply.queuedCount = page.queuedCount
                    reply.runningCount = page.runningCount
                    reply.oldestQueuedUnixMicros = page.oldestQueuedUnixMicros
                } while !reply.nextPageToken.isEmpty
                return reply
            }
            switch output.output {
            case .json: print(JobOutput.json(reply))
            case .table, .wide:
                let now = nowMicros()
                print(JobOutput.queueLine(reply, connectedWorkers: nil, nowMicros: now))
                print(JobOutput.table(reply.jobs, wide: output.output == .wide, nowMicros: now).render(), terminator: "")
            }
        }

        static func state(_ name: String) -> FerryV1.JobState? {
            switch name {
            case "queued": .queued
            case "running": .running
            default: nil
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete a job; a sync that waits for it fails with JOB_MISSING."
        )

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var output: ReplyOutputOptions

        @Argument(help: "Job id.")
        var jobID: String

        func run() async throws {
            let response = try await connection.call(
                FerryV1.Methods.StorageService.deleteJob,
                FerryV1.DeleteJobRequest(jobID: jobID),
                as: FerryV1.DeleteJobResponse.self
            )
            guard response.deleted else {
                throw RPCError(code: .notFound, message: "job \(jobID) does not exist")
            }
            output.print(json: ReplyJSON.deleteJob(jobID, response), text: "job \(jobID) deleted")
        }
    }
}
