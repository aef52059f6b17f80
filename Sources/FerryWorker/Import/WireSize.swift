import FerryProto

/// The exact protobuf encoding sizes of the parts of a SubmitImportBatch request that grow with
/// its content (proto3: empty strings and zero numbers are not encoded), so that a batch can be
/// checked against the server's message limit before it is encoded and sent.
enum WireSize {
    /// The bytes of a varint.
    static func varint(_ value: UInt64) -> Int {
        var bytes = 1
        var rest = value >> 7
        while rest != 0 {
            bytes += 1
            rest >>= 7
        }
        return bytes
    }

    /// A length-delimited field with a one-byte tag (field numbers up to 15): tag, length, body.
    static func lengthDelimited(_ length: Int) -> Int {
        1 + varint(UInt64(length)) + length
    }

    /// One `repeated string` entry, or a string field that is set.
    static func stringField(_ text: String) -> Int {
        lengthDelimited(text.utf8.count)
    }

    /// One `ImportTask` entry of `SubmitImportBatchRequest.tasks`, tag and length included.
    static func taskEntry(_ task: FerryV1.ImportTask) -> Int {
        var body = 0
        if !task.key.isEmpty { body += stringField(task.key) }
        if task.rowIndex != 0 { body += 1 + varint(UInt64(bitPattern: task.rowIndex)) }
        if !task.dataJSON.isEmpty { body += stringField(task.dataJSON) }
        return lengthDelimited(body)
    }
}
