/// `file://` URIs for local paths, as `use_blob_urls` tasks carry them.
enum FileURL {
    /// The URI of an absolute path, percent-encoding every byte a URI path may not hold literally.
    ///
    /// - Parameter path: An absolute path.
    /// - Returns: `file://` followed by the encoded path.
    static func string(forPath path: String) -> String {
        "file://" + URIEncoding.path(path)
    }
}
