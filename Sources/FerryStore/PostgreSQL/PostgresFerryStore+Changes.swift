import PostgresNIO

extension PostgresFerryStore: StoreChangeFeed {
    /// Follows what every server process announces on this database (`LISTEN`/`NOTIFY`) until the
    /// task is cancelled; see ``StoreChangeFeed/followChanges(_:)``. While the feed has lost the
    /// database, every call fails at once as ``StoreError/Code/unavailable``.
    public func followChanges(_ handle: @escaping @Sendable (StoreChange) async -> Void) async {
        let configuration: PostgresConnection.Configuration
        do {
            configuration = try self.url.connectionConfiguration()
        } catch {
            self.logger.error("Cannot follow the database's changes", metadata: ["error": "\(error)"])
            return
        }
        let session = self.session
        await PostgresChangeListener(configuration: configuration, database: self.url.description, logger: self.logger)
            .run { change in
                switch change {
                case .feedLost: session.databaseIsLost()
                case .feedResumed: await session.databaseIsBack()
                case .syncQueued, .cancelRequested, .jobEnded: break
                }
                await handle(change)
            }
    }
}
