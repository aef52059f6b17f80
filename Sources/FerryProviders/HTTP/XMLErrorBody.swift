/// The `<Error>` document S3 and Azure answer a failed request with: its `Code` (`NoSuchBucket`,
/// `SignatureDoesNotMatch`, `AuthenticationFailed`, …) and `Message`.
struct XMLErrorBody: Sendable, Equatable {
    /// The error code.
    var code: String?
    /// The human-readable message.
    var message: String?
}

extension XMLErrorBody {
    /// Parses an error body; both fields are `nil` for an empty or non-XML body (HEAD answers,
    /// proxies' HTML pages).
    init(_ bytes: [UInt8]) {
        var code: String?
        var message: String?
        _ = XMLElementReader.read(bytes) { path, text in
            guard path.count == 2, path[0] == "Error" else { return }
            switch path[1] {
            case "Code": code = text
            case "Message": message = text
            default: break
            }
        }
        self.code = code
        self.message = message
    }
}
