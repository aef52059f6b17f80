public import FerryCore

extension S3ObjectStore: PresigningStore {
    /// The longest a query-signed S3 URL may stay valid: seven days.
    static let maxPresignSeconds = 604_800

    public func presignedURL(for key: String, expiresIn: FerryDuration, now: FerryTime) throws -> String {
        let seconds = min(Self.maxPresignSeconds, max(1, Int(expiresIn.microseconds / 1_000_000)))
        return presignedURL(for: key, expiresIn: seconds, now: now)
    }
}
