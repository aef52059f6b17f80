/// Per-call settings a client chooses.
public struct CallOptions: Sendable {
    /// Request metadata, for example `authorization`.
    public var metadata: Metadata
    /// How long the call may take; `nil` means no deadline.
    public var timeout: Duration?

    /// Creates call options.
    ///
    /// - Parameters:
    ///   - metadata: Request metadata.
    ///   - timeout: How long the call may take.
    public init(metadata: Metadata = [:], timeout: Duration? = nil) {
        self.metadata = metadata
        self.timeout = timeout
    }

    /// No metadata and no deadline.
    public static let defaults = CallOptions()
}
