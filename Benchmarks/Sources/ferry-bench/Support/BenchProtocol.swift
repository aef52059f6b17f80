import FerryProto
import FerryRPC

/// The benchmark's RPC surface, shared by the `server` child and the measuring `run` process.
///
/// Messages travel as bytes (``BytesCoder``). A heartbeat is a real `ferry.v1.HeartbeatRequest`,
/// encoded per message by the writer and decoded per message by the server as a worker and ferryd
/// do (``HeartbeatMessages/heartbeat``), or, to measure the transport alone and compare with
/// earlier runs, an opaque 50-byte payload the server does not decode (``HeartbeatMessages/opaque``).
enum BenchAPI {
    /// Client-streaming: the server counts the messages and answers the count as 8 bytes.
    static let heartbeat = MethodDescriptor(service: "bench.Bench", method: "Heartbeat")
    /// Unary: the server echoes the request.
    static let ping = MethodDescriptor(service: "bench.Bench", method: "Ping")
    /// Unary: the server answers its ``ServerStats``.
    static let stats = MethodDescriptor(service: "bench.Bench", method: "Stats")

    /// The ALPN protocol id Ferry negotiates.
    static let alpn = "ferry/1"

    /// The `sequence`-th heartbeat of one job, as a worker sends it: its lease, progress that
    /// grows with the sequence, and the send time.
    static func heartbeat(sequence: UInt64, sentUnixMicros: Int64) -> FerryV1.HeartbeatRequest {
        let progress = Int64(truncatingIfNeeded: sequence)
        return FerryV1.HeartbeatRequest(
            lease: lease,
            counters: FerryV1.SyncCounters(
                synced: progress &* 50, existed: progress &* 3, objectsScanned: progress &* 56, bytes: progress &* 91_000),
            sequence: sequence,
            sentUnixMicros: sentUnixMicros)
    }

    /// A lease of the shape ferryd hands out (ids and token as long as its own).
    private static let lease = FerryV1.JobLease(
        jobID: "job-8f3a61c02d9e4b7a15c6e0f2", leaseToken: "7d1e9c4b2a6f80513e9d7c2b4a6f8e10",
        instanceID: "3f2b8c1e-6d4a-4e9b-9a7c-2e5f1b8d3c60")

    /// One opaque heartbeat: 50 bytes.
    static let opaqueHeartbeat: [UInt8] = Array((0..<50).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) })

    /// The first byte of an opaque heartbeat: no encoded `HeartbeatRequest` starts with it (field
    /// 1's tag is 0x0A), so the server tells the two apart per message.
    static var opaqueMarker: UInt8 { opaqueHeartbeat[0] }

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

/// What the heartbeat writers send.
enum HeartbeatMessages: String, Sendable, CaseIterable {
    /// Encoded `ferry.v1.HeartbeatRequest`s, decoded by the server.
    case heartbeat
    /// 50 opaque bytes, not decoded: the transport alone.
    case opaque
}
