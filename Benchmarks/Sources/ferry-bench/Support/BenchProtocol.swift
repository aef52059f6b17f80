import FerryRPC

/// The benchmark's RPC surface, shared by the `server` child and the measuring `run` process.
///
/// Messages are raw bytes (``BytesCoder``) so that the benchmark measures the transport, not a
/// message format: a heartbeat is a 50-byte payload, about the size of an encoded
/// `ferry.v1.HeartbeatRequest`.
enum BenchAPI {
    /// Client-streaming: the server counts the messages and answers the count as 8 bytes.
    static let heartbeat = MethodDescriptor(service: "bench.Bench", method: "Heartbeat")
    /// Unary: the server echoes the request.
    static let ping = MethodDescriptor(service: "bench.Bench", method: "Ping")
    /// Unary: the server answers its ``ServerStats``.
    static let stats = MethodDescriptor(service: "bench.Bench", method: "Stats")

    /// The ALPN protocol id Ferry negotiates.
    static let alpn = "ferry/1"

    /// One heartbeat message: 50 bytes.
    static let heartbeatMessage: [UInt8] = Array((0..<50).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) })

    /// One ping request: 16 bytes.
    static let pingMessage: [UInt8] = Array(repeating: 0x5A, count: 16)
}

/// Passes bytes through unchanged, so no message format is measured.
struct BytesCoder: MessageSerializer, MessageDeserializer {
    func serialize(_ message: [UInt8]) throws -> [UInt8] { message }
    func deserialize(_ bytes: [UInt8]) throws -> [UInt8] { bytes }
}

/// What `bench.Bench/Stats` reports about the server process, encoded as three little-endian
/// `UInt64`s.
struct ServerStats: Sendable, Equatable {
    /// Resident set size of the server process, in bytes.
    var residentBytes: UInt64
    /// Heartbeat messages received since the server started.
    var heartbeats: UInt64
    /// File descriptors the server process has open (sockets included).
    var openFiles: UInt64

    /// The wire form: 24 bytes.
    var encoded: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(24)
        for value in [residentBytes, heartbeats, openFiles] {
            withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
        }
        return bytes
    }

    /// Decodes the wire form.
    ///
    /// - Parameter bytes: Exactly 24 bytes.
    /// - Throws: ``RPCError`` `INTERNAL` for any other length.
    init(decoding bytes: [UInt8]) throws {
        guard bytes.count == 24 else {
            throw RPCError(code: .internal, message: "Stats reply of \(bytes.count) bytes, expected 24")
        }
        residentBytes = UInt64(littleEndianBytes: bytes[0..<8])
        heartbeats = UInt64(littleEndianBytes: bytes[8..<16])
        openFiles = UInt64(littleEndianBytes: bytes[16..<24])
    }

    /// Creates stats from values.
    init(residentBytes: UInt64, heartbeats: UInt64, openFiles: UInt64) {
        self.residentBytes = residentBytes
        self.heartbeats = heartbeats
        self.openFiles = openFiles
    }
}

extension UInt64 {
    /// Reads a little-endian value from exactly eight bytes.
    init(littleEndianBytes bytes: ArraySlice<UInt8>) {
        precondition(bytes.count == 8)
        self = bytes.reversed().reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// The value as eight little-endian bytes.
    var littleEndianBytes: [UInt8] {
        withUnsafeBytes(of: littleEndian) { Array($0) }
    }
}
