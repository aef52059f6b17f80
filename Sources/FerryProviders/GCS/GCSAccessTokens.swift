import FerryCore
import Foundation

/// An OAuth access token and when it stops being accepted.
struct GCSAccessToken: Sendable, Equatable {
    /// The bearer token. Never logged or printed.
    var value: String
    /// When the token endpoint said it expires.
    var expiresAt: FerryTime
}

/// The access tokens of one service account: exchanged on first use, kept until
/// ``refreshMargin`` before they expire, then exchanged again. Requests that need a token while
/// an exchange is under way wait for that one exchange instead of starting their own.
actor GCSAccessTokens {
    /// How long before its expiry a token is replaced.
    static let refreshMargin = FerryDuration.seconds(60)

    private let exchange: GCSTokenExchange
    private let clock: @Sendable () -> FerryTime
    private var current: GCSAccessToken?
    private var refreshing: Task<GCSAccessToken, any Error>?

    /// - Parameters:
    ///   - exchange: How a token is obtained.
    ///   - clock: Now; tests inject one.
    init(exchange: GCSTokenExchange, clock: @escaping @Sendable () -> FerryTime) {
        self.exchange = exchange
        self.clock = clock
    }

    /// A token that is valid for at least ``refreshMargin`` more.
    ///
    /// - Throws: ``ProviderError`` when the exchange fails.
    func accessToken() async throws -> String {
        if let current, clock() < current.expiresAt - Self.refreshMargin { return current.value }
        if let refreshing { return try await refreshing.value.value }
        let (exchange, clock) = (self.exchange, self.clock)
        let task = Task { try await exchange.fetch(now: clock()) }
        refreshing = task
        defer { refreshing = nil }
        let fresh = try await task.value
        current = fresh
        return fresh.value
    }
}
