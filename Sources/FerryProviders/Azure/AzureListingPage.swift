import FerryCore

/// One page of a List Blobs answer (`<EnumerationResults>`): the blobs, and the marker of the
/// next page when there is one. Virtual directories (`<BlobPrefix>`, listed with a delimiter)
/// are not blobs and are left out.
struct AzureListingPage: Sendable {
    /// The page's blobs.
    var blobs: [ListedObject]
    /// The `NextMarker`, or `nil` on the last page.
    var nextMarker: String?

    /// Parses an answer.
    ///
    /// - Parameters:
    ///   - bytes: The XML body.
    ///   - subject: What was listed (`azure-blob://container`), for the error.
    /// - Throws: ``ProviderError`` when the body is not a List Blobs answer.
    init(_ bytes: [UInt8], subject: String) throws {
        var blobs: [ListedObject] = []
        var current = ListedObject(key: "", size: nil)
        var nextMarker: String?
        var isEnumeration = false
        let wellFormed = XMLElementReader.read(bytes) { path, text in
            guard path.first == "EnumerationResults" else { return }
            isEnumeration = true
            switch Array(path.dropFirst()) {
            case ["Blobs", "Blob", "Name"]: current.key = text
            case ["Blobs", "Blob", "Properties", "Content-Length"]: current.size = Int64(text)
            case ["Blobs", "Blob", "Properties", "Etag"]: current.etag = EntityTag.unquoted(text)
            case ["Blobs", "Blob", "Properties", "Last-Modified"]: current.lastModified = AzureHTTPDate.parse(text)
            case ["Blobs", "Blob", "Properties", "Content-Type"]: current.contentType = text.isEmpty ? nil : text
            case ["Blobs", "Blob"]:
                blobs.append(current)
                current = ListedObject(key: "", size: nil)
            case ["NextMarker"]: nextMarker = text.isEmpty ? nil : text
            default: break
            }
        }
        guard wellFormed, isEnumeration else {
            throw ProviderError(subject: subject, message: "answered a listing that is not a List Blobs result")
        }
        self.blobs = blobs
        self.nextMarker = nextMarker
    }
}
