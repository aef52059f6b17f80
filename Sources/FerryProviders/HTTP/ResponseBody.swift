public import AsyncHTTPClient
import NIOCore

extension HTTPClientResponse.Body {
    /// The whole body, streamed in and refused as soon as it passes `limit` bytes (before any
    /// of it is read when a `Content-Length` already says it is too large).
    ///
    /// - Parameters:
    ///   - limit: The most bytes accepted, usually ``ObjectLimits/maxObjectBytes``.
    ///   - declaredLength: The response's `Content-Length`, if it had one.
    ///   - subject: What the body is (`s3://bucket/key`), for the error.
    /// - Returns: The bytes.
    /// - Throws: ``ProviderError`` when the body is too large; the transport's error when the
    ///   connection breaks.
    public func collect(limit: Int64, declaredLength: Int64?, subject: String) async throws -> [UInt8] {
        if let declaredLength, declaredLength > limit {
            throw Self.tooLarge(subject: subject, size: "\(declaredLength) bytes", limit: limit)
        }
        var bytes: [UInt8] = []
        if let declaredLength { bytes.reserveCapacity(Int(declaredLength)) }
        for try await buffer in self {
            guard Int64(bytes.count) + Int64(buffer.readableBytes) <= limit else {
                throw Self.tooLarge(subject: subject, size: "more than \(limit) bytes", limit: limit)
            }
            bytes.append(contentsOf: buffer.readableBytesView)
        }
        return bytes
    }

    private static func tooLarge(subject: String, size: String, limit: Int64) -> ProviderError {
        ProviderError(subject: subject, message: "is \(size); objects are read whole, up to \(limit) bytes")
    }
}
