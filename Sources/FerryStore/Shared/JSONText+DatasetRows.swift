import FerryCore

extension JSONText {
    /// `[{"k":key,"s":size,"e":etag,"m":micros,"c":type},…]` for dataset upserts; `m` and `c`
    /// only when known.
    static func datasetRows(_ objects: [DatasetObjectMetadata]) -> String {
        var text = "["
        text.reserveCapacity(objects.reduce(2) { $0 + $1.key.utf8.count + $1.etag.utf8.count + 64 })
        for (index, object) in objects.enumerated() {
            text += index > 0 ? ",{\"k\":" : "{\"k\":"
            appendQuoted(object.key, to: &text)
            text += ",\"s\":\(object.size),\"e\":"
            appendQuoted(object.etag, to: &text)
            if let modified = object.lastModified { text += ",\"m\":\(modified.unixMicroseconds)" }
            if let type = object.contentType {
                text += ",\"c\":"
                appendQuoted(type, to: &text)
            }
            text += "}"
        }
        return text + "]"
    }
}

extension DatasetObjectMetadata {
    /// Each key once, with the metadata of its last occurrence, in first-occurrence order.
    static func lastOfEachKey(_ objects: [DatasetObjectMetadata]) -> [DatasetObjectMetadata] {
        var position: [String: Int] = [:]
        var unique: [DatasetObjectMetadata] = []
        for object in objects {
            if let index = position[object.key] {
                unique[index] = object
            } else {
                position[object.key] = unique.count
                unique.append(object)
            }
        }
        return unique
    }
}
