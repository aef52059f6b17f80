import FerryCore

/// One page of a ListObjectsV2 answer (`<ListBucketResult>`): its objects, and the token of the
/// next page when the listing is truncated.
struct S3ListingPage: Sendable {
    /// The objects (`<Contents>`), in the server's order.
    var objects: [ListedObject]
    /// `<NextContinuationToken>` when `<IsTruncated>` is true.
    var nextContinuationToken: String?

    /// Parses a page.
    ///
    /// - Parameters:
    ///   - bytes: The response body.
    ///   - subject: The bucket, for the error.
    /// - Throws: ``ProviderError`` when the body is not a listing.
    init(_ bytes: [UInt8], subject: String) throws {
        var objects: [ListedObject] = []
        var current = ListedObject(key: "", size: nil)
        var truncated = false
        var token: String?
        var sawRoot = false
        let dates = ISO8601Timestamps()
        let wellFormed = XMLElementReader.read(bytes) { path, text in
            if path == ["ListBucketResult"] { sawRoot = true }
            guard path.count >= 2, path[0] == "ListBucketResult" else { return }
            if path.count == 2 {
                switch path[1] {
                case "IsTruncated": truncated = text == "true"
                case "NextContinuationToken": token = text
                case "Contents":
                    objects.append(current)
                    current = ListedObject(key: "", size: nil)
                default: break
                }
                return
            }
            guard path.count == 3, path[1] == "Contents" else { return }
            switch path[2] {
            case "Key": current.key = text
            case "Size": current.size = Int64(text)
            case "ETag": current.etag = EntityTag.unquoted(text)
            case "LastModified": current.lastModified = dates.parse(text)
            default: break
            }
        }
        guard wellFormed, sawRoot else {
            throw ProviderError(subject: subject, message: "the listing answer is not a ListBucketResult document")
        }
        self.objects = objects
        self.nextContinuationToken = truncated ? token : nil
        if truncated, token == nil {
            throw ProviderError(subject: subject, message: "the listing is truncated but gives no continuation token")
        }
    }
}
