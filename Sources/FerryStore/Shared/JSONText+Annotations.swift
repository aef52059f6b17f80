import FerryCore

extension JSONText {
    /// `[{"i":id,"t":task,"r":result,"c":by,"a":created,"u":updated},…]` for annotation puts.
    static func annotationRows(_ annotations: [AnnotationWrite]) -> String {
        var text = "["
        for (index, annotation) in annotations.enumerated() {
            text += index > 0 ? ",{" : "{"
            text += "\"i\":\(annotation.id),\"t\":\(annotation.taskID),\"r\":"
            appendQuoted(annotation.resultJSON, to: &text)
            text += ",\"c\":"
            appendQuoted(annotation.completedBy, to: &text)
            text += ",\"a\":\(annotation.createdAt.unixMicroseconds),\"u\":\(annotation.updatedAt.unixMicroseconds)}"
        }
        return text + "]"
    }

    /// `[{"i":annotation,"t":task,"k":key,"e":etag,"v":version},…]`, one row per annotation of
    /// each written object, for export links.
    static func linkRows(_ written: [ExportWritten]) -> String {
        var text = "["
        var first = true
        for object in written {
            for annotation in object.annotations {
                text += first ? "{" : ",{"
                first = false
                text += "\"i\":\(annotation.id),\"t\":\(object.taskID),\"k\":"
                appendQuoted(object.key, to: &text)
                text += ",\"e\":"
                if let etag = object.etag { appendQuoted(etag, to: &text) } else { text += "null" }
                text += ",\"v\":\(annotation.version.unixMicroseconds)}"
            }
        }
        return text + "]"
    }
}
