import Foundation

/// The JSON a failed GCS request is answered with, `{"error": {"code", "message", "errors":
/// [{"reason", …}]}}`, or the OAuth token endpoint's `{"error", "error_description"}`.
struct GCSErrorBody: Sendable, Equatable {
    /// The service's reason (`notFound`, `forbidden`, `invalid_grant`), when the body gives one.
    var reason: String?
    /// The human-readable message, when the body gives one.
    var message: String?

    private struct JSONAPIError: Decodable {
        struct Detail: Decodable {
            var message: String?
            var errors: [Reason]?
        }
        struct Reason: Decodable {
            var reason: String?
        }
        var error: Detail
    }

    private struct OAuthError: Decodable {
        var error: String
        var error_description: String?
    }

    /// Parses an error body; both fields are `nil` for an empty or unrecognized one (a proxy's
    /// HTML page, say).
    init(_ bytes: [UInt8]) {
        let data = Data(bytes)
        if let api = try? JSONDecoder().decode(JSONAPIError.self, from: data) {
            self.reason = api.error.errors?.first?.reason
            self.message = api.error.message
        } else if let oauth = try? JSONDecoder().decode(OAuthError.self, from: data) {
            self.reason = oauth.error
            self.message = oauth.error_description
        } else {
            self.reason = nil
            self.message = nil
        }
    }
}
