public import FerryCore

extension GCSObjectStore: PresigningStore {
    /// The longest a V4 signed URL may stay valid: seven days.
    static let maxPresignSeconds = 604_800

    public func presignedURL(for key: String, expiresIn: FerryDuration, now: FerryTime) throws -> String {
        let seconds = min(Self.maxPresignSeconds, max(1, Int(expiresIn.microseconds / 1_000_000)))
        return try presignedURL(for: key, expiresIn: seconds, now: now)
    }
}
