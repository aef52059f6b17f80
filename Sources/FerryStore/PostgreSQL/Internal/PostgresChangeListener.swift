import Logging
import PostgresNIO

/// Follows the announcements of every server process on the database (`LISTEN`), on a
/// connection of its own, reconnecting with backoff whenever that connection is lost. The
/// connection is probed every few seconds, so a database that vanished without closing it (a
/// crashed host, a dropped route) is noticed as lost too.
struct PostgresChangeListener: Sendable {
    /// The notification channel every ``StoreChange`` is announced on.
    static let channel = "ferry_changes"
    /// How often the connection is probed, and how long a probe may take.
    static let probeInterval = Duration.seconds(5)

    let configuration: PostgresConnection.Configuration
    let database: String
    let logger: Logger

    /// Runs until the task is cancelled.
    func run(_ handle: @escaping @Sendable (StoreChange) async -> Void) async {
        var delay = Duration.milliseconds(200)
        var lost = false
        while !Task.isCancelled {
            do {
                let connection = try await PostgresConnection.connect(
                    on: PostgresSession.eventLoops.next(), configuration: configuration, id: 0, logger: logger)
                do {
                    try await connection.listen(on: Self.channel) { notifications in
                        if lost {
                            logger.info("The database is back", metadata: ["database": "\(database)"])
                        }
                        lost = false
                        delay = .milliseconds(200)
                        // What was announced before this LISTEN was not heard.
                        await handle(.feedResumed)
                        try await follow(notifications, on: connection, handle)
                    }
                } catch {
                    try? await connection.close()
                    throw error
                }
                try? await connection.close()
            } catch {
                if Task.isCancelled { return }
                if !lost {
                    lost = true
                    let reason = StoreError.from(postgres: error, while: "following changes").message
                    logger.warning(
                        "Lost the database; refusing calls until it is back",
                        metadata: ["database": "\(database)", "error": "\(reason)"])
                    await handle(.feedLost)
                }
            }
            try? await Task.sleep(for: delay)
            // Short enough that a database back from a restart is noticed within a few seconds.
            delay = min(delay * 2, .seconds(2))
        }
    }

    /// Hands over each announcement until the connection fails a probe or the task is cancelled.
    private func follow(
        _ notifications: PostgresNotificationSequence,
        on connection: PostgresConnection,
        _ handle: @escaping @Sendable (StoreChange) async -> Void
    ) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for try await notification in notifications {
                    if let change = StoreChange(payload: notification.payload) { await handle(change) }
                }
            }
            group.addTask { try await probe(connection) }
            try await group.next()
            group.cancelAll()
        }
    }

    /// Asks `SELECT 1` every ``probeInterval``; throws when an answer takes longer than that
    /// (after closing the connection, which fails the query still waiting).
    private func probe(_ connection: PostgresConnection) async throws {
        while true {
            try await Task.sleep(for: Self.probeInterval)
            try await withThrowingTaskGroup(of: Bool.self) { group in
                group.addTask {
                    _ = try await connection.query("SELECT 1", logger: logger).collect()
                    return true
                }
                group.addTask {
                    try await Task.sleep(for: Self.probeInterval)
                    try? await connection.close()
                    return false
                }
                let answered = try await group.next() ?? false
                group.cancelAll()
                guard answered else {
                    throw StoreError(code: .unavailable, message: "The database did not answer within \(Self.probeInterval).")
                }
            }
        }
    }
}
