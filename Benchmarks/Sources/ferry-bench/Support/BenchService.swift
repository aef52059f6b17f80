import FerryProto
import FerryRPC
import Synchronization

/// The service the `server` child runs: heartbeat counting, ping echo, and process stats.
struct BenchService: RPCService {
    /// Heartbeats received by every call, for ``BenchAPI/stats``.
    let heartbeats = HeartbeatCounter()

    func registerMethods(with router: inout RPCRouter) {
        let coder = BytesCoder()
        let heartbeats = self.heartbeats
        router.registerClientStreaming(BenchAPI.heartbeat, deserializer: coder, serializer: coder) { requests, _ in
            var count: UInt64 = 0
            var unpublished: UInt64 = 0
            var publishedAt = MonotonicTime.nanoseconds()
            let decoder = ProtobufDeserializer<FerryV1.HeartbeatRequest>()
            for try await bytes in requests {
                // Decoded as ferryd decodes a worker's heartbeat (a message that does not decode
                // fails the call); opaque ones are only counted.
                if bytes.first != BenchAPI.opaqueMarker { _ = try decoder.deserialize(bytes) }
                count += 1
                unpublished += 1
                // Published in small batches (one shared atomic per message would be measured
                // too), and at least every 50 ms: a stream beating once a second or once per ten
                // would otherwise reach a window's count only at its end.
                let now = MonotonicTime.nanoseconds()
                if unpublished == HeartbeatCounter.batch || now &- publishedAt >= HeartbeatCounter.maximumDelay {
                    heartbeats.add(unpublished)
                    unpublished = 0
                    publishedAt = now
                }
            }
            heartbeats.add(unpublished)
            return count.littleEndianBytes
        }
        router.registerUnary(BenchAPI.ping, deserializer: coder, serializer: coder) { request, _ in
            // The echo plus when the handler ran, so the client can split the round trip in two legs.
            request + MonotonicTime.nanoseconds().littleEndianBytes
        }
        router.registerUnary(BenchAPI.stats, deserializer: coder, serializer: coder) { _, _ in
            ServerStats(
                residentBytes: UInt64(ProcFS.residentBytes() ?? 0),
                heartbeats: heartbeats.value,
                openFiles: UInt64(ProcFS.openFileCount() ?? 0)
            ).encoded
        }
        // Light handlers, placed as ferryd places its heartbeats and health checks.
        router.runOnConnectionLoop(BenchAPI.heartbeat)
        router.runOnConnectionLoop(BenchAPI.ping)
    }
}

/// A process-wide count of heartbeat messages, published by calls in batches of ``batch``.
final class HeartbeatCounter: Sendable {
    /// How many messages a call counts locally before publishing them.
    static let batch: UInt64 = 16
    /// The longest a call keeps counted messages to itself, in nanoseconds.
    static let maximumDelay: UInt64 = 50_000_000

    private let count = Atomic<UInt64>(0)

    /// Adds messages to the count.
    func add(_ messages: UInt64) {
        count.add(messages, ordering: .relaxed)
    }

    /// The messages counted so far.
    var value: UInt64 { count.load(ordering: .relaxed) }
}
