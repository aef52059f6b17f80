import FerryCore
import Foundation

/// The RFC 1123 dates of the Blob service (`Mon, 01 Jun 2026 12:00:00 GMT`): `x-ms-date` and
/// the listing's `Last-Modified`.
enum AzureHTTPDate {
    /// The instant as an RFC 1123 date (whole seconds).
    static func string(_ time: FerryTime) -> String {
        formatter().string(from: Date(timeIntervalSince1970: Double(time.unixMicroseconds / 1_000_000)))
    }

    /// The instant of an RFC 1123 date, or `nil` when the text is not one.
    static func parse(_ text: String) -> FerryTime? {
        formatter().date(from: text).map { FerryTime.unixSeconds(Int64($0.timeIntervalSince1970.rounded())) }
    }

    /// A new formatter each time: `DateFormatter` is not safe to share between threads.
    private static func formatter() -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter
    }
}
