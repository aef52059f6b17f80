import Logging
import PostgresNIO

/// Follows the announcements of every server process on the database (`LISTEN`), on a
/// connection of its own, reconnecting with backoff whenever that connection is lost.
struct PostgresChangeListener: Sendable {
    /// The notification channel every ``StoreChange`` is announced on.
    static let channel = "ferry_changes"

    let configuration: PostgresConnection.Configuration
    let database: String
    let logger: Logger

    /// Runs until the task is cancelled.
    func run(_ handle: @escaping @Sendable (StoreChange) async -> Void) async {
        var delay = Duration.milliseconds(200)
        var listenedBefore = false
        var lost = false
        while !Task.isCancelled {
            do {
                let connection = try await PostgresConnection.connect(
                    on: PostgresSession.eventLoops.next(), configuration: configuration, id: 0, logger: logger)
                do {
                    try await connection.listen(on: Self.channel) { notifications in
                        if listenedBefore || lost {
                            logger.info("Following the database's changes again", metadata: ["database": "\(database)"])
                            await handle(.feedResumed)
                        }
                        listenedBefore = true
                        lost = false
                        delay = .milliseconds(200)
                        for try await notification in notifications {
                            if let change = StoreChange(payload: notification.payload) { await handle(change) }
                        }
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
                        "Lost the database; refusing writes until it is back",
                        metadata: ["database": "\(database)", "error": "\(reason)"])
                    await handle(.feedLost)
                }
            }
            try? await Task.sleep(for: delay)
            // Short enough that a database back from a restart is noticed within a few seconds.
            delay = min(delay * 2, .seconds(2))
        }
    }
}
