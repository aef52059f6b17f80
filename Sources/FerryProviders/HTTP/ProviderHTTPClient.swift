public import AsyncHTTPClient
public import NIOCore
import NIOPosix

/// The one HTTP client every cloud provider of this process shares (S3 now; GCS and Azure
/// later), so that connections to a provider's endpoint are pooled and reused across stores,
/// jobs and requests.
///
/// Connecting gives up after ``connectTimeout``, and a response that sends nothing for
/// ``readTimeout`` fails; both count as connection errors for ``RetryPolicy``. Redirects are not
/// followed: a signed request cannot be replayed elsewhere, and a provider's redirect (S3's
/// `PermanentRedirect` for a bucket in another region) is an error to report.
public enum ProviderHTTPClient {
    /// How long connecting to a provider may take.
    public static let connectTimeout = TimeAmount.seconds(10)
    /// How long a response may stay silent.
    public static let readTimeout = TimeAmount.seconds(60)
    /// How long an idle pooled connection is kept.
    public static let idleTimeout = TimeAmount.seconds(60)

    /// The process's client. It lives as long as the process and is never shut down.
    public static let shared: HTTPClient = {
        let configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: connectTimeout, read: readTimeout),
            connectionPool: .init(idleTimeout: idleTimeout),
            decompression: .disabled
        )
        return HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
    }()
}
