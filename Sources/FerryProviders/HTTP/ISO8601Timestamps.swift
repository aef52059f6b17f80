import FerryCore
import Foundation

/// Providers' RFC 3339 timestamps (S3's `2026-05-01T12:34:56.000Z`, GCS's `updated` with up to
/// nine digits of fraction) as ``FerryTime``.
struct ISO8601Timestamps {
    private let withFraction: ISO8601DateFormatter
    private let withoutFraction: ISO8601DateFormatter

    init() {
        withFraction = ISO8601DateFormatter()
        withFraction.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        withoutFraction = ISO8601DateFormatter()
        withoutFraction.formatOptions = [.withInternetDateTime]
    }

    /// The instant, or `nil` when the text is not an ISO-8601 timestamp.
    func parse(_ text: String) -> FerryTime? {
        guard let date = withFraction.date(from: text) ?? withoutFraction.date(from: text) else { return nil }
        return FerryTime(unixMicroseconds: Int64((date.timeIntervalSince1970 * 1_000_000).rounded()))
    }
}
