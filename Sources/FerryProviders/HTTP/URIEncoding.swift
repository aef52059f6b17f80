/// Percent-encoding as Signature Version 4 defines it for S3, Google's libraries do for GCS object
/// names and Azure's Blob service (and its SDK) does for blob names: every byte but the RFC 3986
/// unreserved characters (`A-Z a-z 0-9 - _ . ~`) becomes `%XX` (upper-case hex) of its UTF-8.
///
/// Object keys and blob names are encoded once, each path segment on its own (`/` stays); query
/// names and values are encoded whole (`/` becomes `%2F`). The encoded form is both what is sent
/// and what is signed, so the two can never disagree.
enum URIEncoding {
    /// A key or path as it goes into the URL's path: `/` kept.
    static func path(_ text: String) -> String {
        encode(text, keepingSlash: true)
    }

    /// A query parameter's name or value.
    static func queryComponent(_ text: String) -> String {
        encode(text, keepingSlash: false)
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    private static func encode(_ text: String, keepingSlash: Bool) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                UInt8(ascii: "~"):
                bytes.append(byte)
            case UInt8(ascii: "/") where keepingSlash:
                bytes.append(byte)
            default:
                bytes += [UInt8(ascii: "%"), hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0x0F)]]
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
