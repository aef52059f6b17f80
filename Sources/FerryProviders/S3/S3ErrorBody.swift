/// The `<Error>` document S3 answers a failed request with: its `Code` (`NoSuchBucket`,
/// `SignatureDoesNotMatch`, `SlowDown`, …) and `Message`.
struct S3ErrorBody: Sendable, Equatable {
    /// The error code.
    var code: String?
    /// The human-readable message.
    var message: String?
}

extension S3ErrorBody {
    /// Parses an error body; both fields are `nil` for an empty or non-XML body (HEAD answers,
    /// proxies' HTML pages).
    init(_ bytes: [UInt8]) {
        var code: String?
        var message: String?
        _ = S3XMLReader.read(bytes) { path, text in
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
