/// `file://` URIs for local paths, as `use_blob_urls` tasks carry them.
enum FileURL {
    /// The URI of an absolute path, percent-encoding every byte a URI path may not hold literally.
    ///
    /// - Parameter path: An absolute path.
    /// - Returns: `file://` followed by the encoded path.
    static func string(forPath path: String) -> String {
        var result = "file://"
        for byte in path.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"), UInt8(ascii: "/"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                result += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return result
    }
}
