import FerryRPC

/// Round-trip times of sequential unary `Ping` calls on one dedicated connection.
struct LatencySample: Sendable {
    /// Each successful call's round trip, in nanoseconds, in call order.
    var nanoseconds: [Int64] = []
    /// Calls that failed (timeout, UNAVAILABLE, …).
    var failures = 0
    /// The slowest call, when it started (relative to the first measured call), and its two legs:
    /// client send → server handler, and server handler → client receive.
    var slowest: (latency: Duration, startedAfter: Duration, requestLeg: Duration, responseLeg: Duration)?
    /// Per call, nanoseconds from sending to the server handler running.
    var requestLegs: [Int64] = []
    /// Per call, nanoseconds from the server handler to the reply arriving.
    var responseLegs: [Int64] = []

    /// Successful calls.
    var count: Int { nanoseconds.count }

    /// The nearest-rank percentile.
    ///
    /// - Parameter fraction: For example 0.99.
    /// - Returns: The round trip, or `nil` without samples.
    func percentile(_ fraction: Double) -> Duration? {
        Self.percentile(fraction, of: nanoseconds)
    }

    /// The nearest-rank percentile of nanosecond values.
    static func percentile(_ fraction: Double, of nanoseconds: [Int64]) -> Duration? {
        guard !nanoseconds.isEmpty else { return nil }
        let sorted = nanoseconds.sorted()
        let rank = max(1, Int((fraction * Double(sorted.count)).rounded(.up)))
        return .nanoseconds(sorted[min(rank, sorted.count) - 1])
    }

    /// The slowest round trip.
    var maximum: Duration? { nanoseconds.max().map { .nanoseconds($0) } }
}

/// Measures unary round-trip latency.
enum Latency {
    /// Calls `Ping` one after the other: first `warmUp` unmeasured calls, then up to `count`
    /// measured ones, stopping early at `deadline`.
    ///
    /// - Parameters:
    ///   - client: A client on a connection used by nothing else.
    ///   - warmUp: Calls made before measuring.
    ///   - count: Measured calls at most.
    ///   - deadline: When to stop even if `count` is not reached.
    ///   - pause: A wait after each measured call, so the pings cost the server little, like a
    ///     second client of a loaded server rather than a load of their own.
    /// - Returns: The sample.
    static func measure(
        client: RPCClient,
        warmUp: Int,
        count: Int,
        until deadline: ContinuousClock.Instant,
        pause: Duration = .zero
    ) async -> LatencySample {
        let clock = ContinuousClock()
        for _ in 0..<warmUp where clock.now < deadline {
            _ = try? await BenchTarget.ping(client)
        }
        var sample = LatencySample()
        sample.nanoseconds.reserveCapacity(min(count, 1 << 20))
        let origin = clock.now
        // Bounded by `count` and by the deadline.
        for _ in 0..<count {
            guard clock.now < deadline, !Task.isCancelled else { break }
            let start = clock.now
            do {
                let legs = try await BenchTarget.ping(client)
                let latency = clock.now - start
                sample.nanoseconds.append(latency.nanoseconds)
                sample.requestLegs.append(legs.request)
                sample.responseLegs.append(legs.response)
                if latency > sample.slowest?.latency ?? .zero {
                    sample.slowest = (latency, start - origin, .nanoseconds(legs.request), .nanoseconds(legs.response))
                }
            } catch {
                sample.failures += 1
            }
            if pause > .zero { try? await Task.sleep(for: pause) }
        }
        return sample
    }
}

extension Duration {
    /// The duration in whole nanoseconds.
    var nanoseconds: Int64 {
        components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000
    }

    /// The duration in seconds, as a double.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
