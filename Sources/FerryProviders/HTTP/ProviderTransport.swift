public import AsyncHTTPClient
public import FerryCore

/// How a cloud store reaches its service: the HTTP client, when to retry, and the clock that
/// dates and signs each request. The defaults are the process's; tests replace them.
public struct ProviderTransport: Sendable {
    /// The HTTP client; the process's shared one by default.
    public var http: HTTPClient
    /// When to retry.
    public var retry: RetryPolicy
    /// The time each request is dated and signed with; the system's by default.
    public var clock: @Sendable () -> FerryTime

    /// Creates a transport.
    public init(
        http: HTTPClient = ProviderHTTPClient.shared,
        retry: RetryPolicy = RetryPolicy(),
        clock: @escaping @Sendable () -> FerryTime = { SystemTime.now() }
    ) {
        self.http = http
        self.retry = retry
        self.clock = clock
    }
}

extension ProviderTarget {
    /// The prefix as a folder to list (`data` → `data/`, so that `data2/…` is not taken), or
    /// empty for the whole bucket or container.
    var folderPrefix: String {
        prefix.isEmpty || prefix.hasSuffix("/") ? prefix : prefix + "/"
    }
}
