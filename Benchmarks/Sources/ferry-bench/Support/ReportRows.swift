/// The rows each measurement contributes, with the targets of issue 2 (item 8).
extension Report {
    /// Target: unary p50 ≤ 200 µs on an idle server.
    mutating func addIdleLatency(_ sample: LatencySample, clientOnLoop: Bool) {
        let p50 = sample.percentile(0.5)
        let pass = p50.map { $0 <= .microseconds(200) } ?? false
        let client = clientOnLoop ? ", client task on its connection's loop" : ""
        add("Unary Ping p50, idle\(client)", Format.latency(p50), target: "≤ 200 µs", pass ? .pass : .fail)
        add("Unary Ping p99, idle\(client)", Format.latency(sample.percentile(0.99)))
        note(
            "Idle latency\(client): \(Format.count(sample.count)) sequential pings (16 bytes) on one connection after 500 "
                + "warm-up calls; slowest \(Format.latency(sample.maximum)); \(sample.failures) failed. " + sample.legSummary
        )
    }

    /// Targets (on concurrent loops): ≥ 1,000 full and ≥ 4,000 resumed handshakes/s.
    mutating func addHandshakes(_ result: HandshakeResult) {
        let label = (result.concurrency == 1 ? "sequential" : "\(result.concurrency) concurrent")
        let kind = result.resumed ? "resumed" : "full"
        let target = result.concurrency == 1 ? nil : (result.resumed ? 4_000.0 : 1_000.0)
        add(
            "TLS \(kind) handshakes/s, \(label) (connect + close)", Format.rate(result.perSecond),
            target: target.map { "≥ \(Format.rate($0))" } ?? "—",
            target.map { result.perSecond >= $0 ? .pass : .fail } ?? .info)
        var line = "Handshakes (\(kind), \(label)): \(Format.count(result.completed)) in \(Format.decimal(result.elapsed.seconds)) s, "
            + "\(result.failures) failed; server CPU \(Format.decimal(result.serverMicrosecondsPerHandshake, 0)) µs and client CPU "
            + "\(Format.decimal(result.clientMicrosecondsPerHandshake, 0)) µs per connection; TLS 1.3, P-256 certificates, "
            + (result.resumed
                ? "a session ticket offered (PSK with ECDHE, no certificates)."
                : "worker client certificate presented, no ticket offered.")
        if let error = result.firstError { line += " First error: \(error)" }
        note(line)
    }

    /// Targets: ≥ 360,000 msgs/s over 100 connections (≈ 2 µs server CPU each) with writers
    /// unbounded; p99 ≤ 10 ms under load, judged with the load paced at the target rate. With
    /// unbounded writers on a shared 2-core machine the client takes whatever CPU the server
    /// leaves, so that run's latency rows are reported without a verdict.
    mutating func addThroughput(_ result: ThroughputResult) {
        let paced = result.pace != nil
        let suffix = result.pace.map { ", paced at \(Format.count(UInt64($0))) msgs/s" } ?? ", writers unbounded"
        let rate = result.messagesPerSecond
        add(
            "Heartbeat throughput (\(result.connections) conns × \(result.streams) client-streaming calls, \(result.messages == .heartbeat ? "ferry.v1 HeartbeatRequest" : "opaque 50-byte") msgs\(suffix))",
            "\(Format.rate(rate)) msgs/s",
            target: paced ? "—" : "≥ 360,000 msgs/s",
            paced ? .info : rate >= 360_000 ? .pass : .fail
        )
        let cpu = result.serverMicrosecondsPerMessage
        add(
            "Server CPU per heartbeat\(suffix)",
            cpu.map { "\(Format.decimal($0)) µs" } ?? "n/a",
            target: paced ? "—" : "≈ 2 µs (guide)",
            paced ? .info : (cpu ?? .infinity) <= 2.0 ? .pass : .fail
        )
        add(
            "Client CPU per heartbeat, measuring process\(suffix)",
            result.clientMicrosecondsPerMessage.map { "\(Format.decimal($0)) µs" } ?? "n/a"
        )
        let p99 = result.loadedLatency.percentile(0.99)
        let loadReachedServer = rate >= 1_000
        add("Unary Ping p50, under heartbeat load\(suffix)", Format.latency(result.loadedLatency.percentile(0.5)))
        let latencyVerdict: Verdict =
            !loadReachedServer ? .invalid : !paced ? .info : (p99.map { $0 <= .milliseconds(10) } ?? false) ? .pass : .fail
        add(
            "Unary Ping p99, under heartbeat load\(suffix)",
            Format.latency(p99),
            target: paced ? "≤ 10 ms" : "—",
            latencyVerdict
        )
        let label = result.pace.map { "Heartbeats paced at \(Format.count(UInt64($0))) msgs/s" } ?? "Heartbeats, writers unbounded"
        var line = "\(label): window \(Format.decimal(result.window.seconds)) s after warm-up; server counted "
            + "\(Format.count(result.serverMessages)) in the window; over the whole run the client wrote "
            + "\(Format.count(result.sentMessages)) and the server confirmed \(Format.count(result.confirmedMessages)); "
            + "\(result.failedStreams) calls failed; the Stats calls opening and closing the window took "
            + "\(Format.latency(result.statsCallDurations.first)) and \(Format.latency(result.statsCallDurations.last)); server CPU \(Format.decimal(result.serverCPU?.seconds)) s, "
            + "client CPU \(Format.decimal(result.clientCPU?.seconds)) s in the window; client peak RSS "
            + "\(Format.mebibytes(UInt64(result.clientPeakResidentBytes)))"
            + (result.stoppedForMemory ? " (writers stopped early: client memory limit reached)" : "") + "."
        if let error = result.firstError { line += " First error: \(error)" }
        note(line)
        note(
            "\(label): loaded latency from \(Format.count(result.loadedLatency.count)) sequential pings "
                + (result.pingsFromOwnProcess
                    ? "from a pinger process of its own (100 ms between pings)" : "on a dedicated connection (own client event loop)")
                + " during the window; slowest \(Format.latency(result.loadedLatency.maximum))"
                + (result.loadedLatency.slowest.map {
                    " (started \(Format.decimal($0.startedAfter.seconds)) s into the window; client→handler "
                        + "\(Format.latency($0.requestLeg)), handler→client \(Format.latency($0.responseLeg)))"
                } ?? "")
                + "; \(result.loadedLatency.failures) failed. " + result.loadedLatency.legSummary
        )
        if !loadReachedServer {
            note(
                "\(label): latency under load is marked invalid: the server counted fewer than 1,000 heartbeats/s in "
                    + "the window, so the pings did not run against a loaded server."
            )
        }
    }

    /// Target: ≤ 48 KiB of server RSS per idle TLS connection.
    mutating func addIdleConnections(_ result: IdleConnectionsResult) {
        let perConnection = result.bytesPerConnection
        add(
            "Server RSS per idle TLS connection (\(Format.count(result.opened)) conns)",
            Format.kibibytes(perConnection),
            target: "≤ 48 KiB",
            (perConnection ?? .infinity) <= 48 * 1024 && result.opened == result.requested ? .pass : .fail
        )
        add(
            "Server RSS after \(Format.count(result.opened)) idle TLS connections closed (before them)",
            "\(Format.mebibytes(result.closed.residentBytes)) (\(Format.mebibytes(result.before.residentBytes)))"
        )
        var line = "Idle connections: \(Format.count(result.opened)) of \(Format.count(result.requested)) opened in "
            + "\(Format.decimal(result.connectElapsed.seconds)) s (\(result.failures) failed); server RSS "
            + "\(Format.mebibytes(result.before.residentBytes)) → \(Format.mebibytes(result.after.residentBytes)), "
            + "descriptors \(result.before.openFiles) → \(result.after.openFiles)"
            + (result.settled ? "" : " (did not settle within the limit)")
            + "; once they closed \(Format.mebibytes(result.closed.residentBytes)), descriptors \(result.closed.openFiles)"
            + (result.closedSettled ? "" : " (did not settle within the limit)")
            + "; client RSS per connection "
            + ((result.clientBytesPerConnection ?? -1) >= 0
                ? Format.kibibytes(result.clientBytesPerConnection)
                : "n/a (the client's heap was still shrinking from an earlier phase)")
            + "."
        if let error = result.firstError { line += " First error: \(error)" }
        note(line)
    }
}

extension LatencySample {
    /// The legs' percentiles, which tell whether time goes before or after the server's handler.
    var legSummary: String {
        func legs(_ values: [Int64]) -> String {
            "p50 \(Format.latency(Self.percentile(0.5, of: values))), p99 \(Format.latency(Self.percentile(0.99, of: values)))"
        }
        return "Client send → server handler: \(legs(requestLegs)); server handler → client receive: \(legs(responseLegs))."
    }
}
