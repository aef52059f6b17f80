import ArgumentParser
import FerryRPC
import FerryTransport
import NIOCore
import NIOPosix

/// `ferry-bench run`: starts `ferry-bench server` as a child process, measures it from this
/// process over TLS on 127.0.0.1, and prints the results against issue 2's targets.
///
/// Phases, each under a time limit: idle unary latency; TLS handshakes; heartbeat throughput
/// with server CPU per message and unary latency under that load; then, against a fresh server
/// child, RSS per idle TLS connection.
struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run every measurement against a `ferry-bench server` child and print a table."
    )

    @Option(help: "Connections carrying heartbeat streams.")
    var connections = 100

    @Option(help: "Concurrent client-streaming heartbeat calls per connection.")
    var streams = 10

    @Option(help: "Seconds of measured heartbeat load.")
    var seconds = 10

    @Option(help: "Idle TLS connections for the server RSS measurement; 0 skips it.")
    var idleConnections = 10_000

    @OptionGroup var certificateOptions: CertificateOptions

    @OptionGroup var sourceAddressOptions: SourceAddressOptions

    @Option(help: "Seconds of heartbeat load before the measured window opens.")
    var warmUp = 2

    @Option(help: "Measured sequential pings on an idle server.")
    var pings = 5_000

    @Option(help: "Seconds of each handshake loop (sequential, then concurrent).")
    var handshakeSeconds = 5

    @Option(help: "Loops in the concurrent handshake measurement.")
    var handshakeConcurrency = 4

    @Option(help: "Connects in flight while opening the idle connections.")
    var connectParallelism = 32

    @Option(help: "Also measure under a heartbeat load paced at this many messages/s in all; 0 skips.")
    var pacedRate = 360_000

    @Option(help: "What heartbeat writers send: heartbeat (encoded ferry.v1.HeartbeatRequests, decoded by the server) or opaque (50 bytes, the transport alone, as runs before 2026-12-05 measured).")
    var messages: HeartbeatMessages = .heartbeat

    @Option(help: "Instead of the unbounded and --paced-rate loads, one load in which each stream beats once per this many seconds, as workers do (10 for one beat per 10 s; fractions allowed).")
    var beatInterval: Double?

    @Flag(help: "Ping under load from a process of its own (ferry-bench pinger, 100 ms between pings), a second client of the loaded server, instead of from a connection of this process.")
    var pingerProcess = false

    @Option(
        name: .customLong("client-memory-limit-mib"),
        help: "Heartbeat writers stop early when this process's RSS passes this many MiB."
    )
    var clientMemoryLimitMiB = 4096

    func validate() throws {
        guard connections > 0, streams > 0, seconds > 0, warmUp >= 0, pings > 0, idleConnections >= 0,
            handshakeSeconds > 0, handshakeConcurrency > 0, connectParallelism > 0, pacedRate >= 0,
            (beatInterval ?? 1) > 0,
            clientMemoryLimitMiB > 0
        else {
            throw ValidationError("counts and durations must be positive")
        }
    }

    func run() async throws {
        let fileLimit = ProcFS.raiseFileLimit(to: max(65_536, idleConnections + connections + 4096))
        let certificates = try certificateOptions.ensure()
        let tls = try certificates.clientContext()
        let sources = try sourceAddressOptions.make()
        let idleConnectLimit = Duration.seconds(60 + idleConnections / 100)
        let budget = Duration.seconds(120 + 2 * handshakeSeconds + 60 + 2 * (warmUp + seconds + 120) + 60 + 120)
            + idleConnectLimit + .seconds(60)
        let watchdog = Watchdog(limit: budget)
        defer { watchdog.cancel() }

        var report = Report()
        var header = ReportHeader(title: "## ferry-bench")
        ProgressLog.write("starting the server child (load average \(header.loadAtStart))")
        let server = try await ServerProcess.launch(certificates: certificates)
        watchdog.watch(child: server.pid)
        header.add("- Server child: `\(server.commandLine)` (pid \(server.pid), port \(server.port))")
        header.addSourceAddresses(sources)
        let target = BenchTarget(port: server.port, tls: tls, sources: sources)

        ProgressLog.write("[1/4] unary latency, idle: \(pings) pings")
        for onLoop in [false, true] {
            do {
                let pings = self.pings
                let sample = try await Bounded.run("idle latency", limit: .seconds(120)) {
                    try await Self.idleLatency(target: target, pings: pings, onLoop: onLoop)
                }
                report.addIdleLatency(sample, clientOnLoop: onLoop)
            } catch {
                report.failed("Unary p50, idle", target: "≤ 200 µs", error)
            }
        }

        ProgressLog.write(
            "[2/4] TLS handshakes, full then resumed: \(handshakeSeconds) s sequential, \(handshakeSeconds) s with \(handshakeConcurrency) loops")
        // Full handshakes from a client that never offers a ticket; resumed ones from a client
        // that offers the newest ticket it was given (one connection first, to get one).
        let full = BenchTarget(port: server.port, tls: try certificates.clientContext(resumesSessions: false))
        let resuming = BenchTarget(port: server.port, tls: try certificates.clientContext(resumesSessions: true))
        for (handshakeTarget, resumed) in [(full, false), (resuming, true)] {
            for concurrency in [1, handshakeConcurrency] {
                let duration = Duration.seconds(handshakeSeconds)
                do {
                    let result = try await Bounded.run("handshakes", limit: duration + .seconds(30)) {
                        await Handshakes.measure(
                            target: handshakeTarget, server: server, concurrency: concurrency, duration: duration,
                            resumed: resumed)
                    }
                    report.addHandshakes(result)
                } catch {
                    report.failed("TLS handshakes/s, \(concurrency) at a time", error)
                }
            }
        }

        let shape = Throughput.Shape(
            connections: connections,
            streams: streams,
            warmUp: .seconds(warmUp),
            duration: .seconds(seconds),
            pace: nil,
            clientMemoryLimit: clientMemoryLimitMiB * 1_048_576,
            pingPause: pingerProcess ? .milliseconds(100) : .zero,
            messages: messages,
            pinger: pingerProcess ? ["pinger", "--port", String(server.port), "--certs", certificates.directory] : nil
        )
        var shapes = [shape]
        if pacedRate > 0 {
            var paced = shape
            paced.pace = pacedRate
            shapes.append(paced)
        }
        if let beatInterval {
            var realistic = shape
            realistic.pace = max(1, Int((Double(connections * streams) / beatInterval).rounded()))
            // Ten pings a second: at a thousand beats a second, back-to-back pings would cost the
            // server more than the beats, and be counted as theirs.
            realistic.pingPause = .milliseconds(100)
            shapes = [realistic]
        }
        for shape in shapes {
            let how = shape.pace.map { "paced at \(Format.count(UInt64($0))) msgs/s" } ?? "writers unbounded"
            ProgressLog.write("[3/4] heartbeat load, \(how): \(connections) connections × \(streams) streams, \(warmUp) s warm-up + \(seconds) s")
            do {
                let result = try await Bounded.run("heartbeat throughput", limit: shape.warmUp + shape.duration + .seconds(120)) {
                    try await Throughput.measure(target: target, server: server, shape: shape)
                }
                report.addThroughput(result)
            } catch {
                report.failed("Heartbeat throughput (\(how))", target: "≥ 360,000 msgs/s", error)
            }
        }
        let firstStatus = await server.terminate()
        report.note("Server child \(server.pid) exited with status \(firstStatus) after SIGTERM.")

        if idleConnections > 0 {
            ProgressLog.write("[4/4] server RSS with \(idleConnections) idle TLS connections (fresh server child)")
            do {
                let fresh = try await ServerProcess.launch(certificates: certificates)
                watchdog.watch(child: fresh.pid)
                let freshTarget = BenchTarget(port: fresh.port, tls: tls, sources: sources)
                do {
                    let (count, parallelism) = (idleConnections, connectParallelism)
                    let result = try await Bounded.run("idle connections", limit: idleConnectLimit + .seconds(120)) {
                        try await IdleConnections.measure(
                            target: freshTarget,
                            count: count,
                            parallelism: parallelism,
                            connectLimit: idleConnectLimit,
                            settleLimit: .seconds(30)
                        )
                    }
                    report.addIdleConnections(result)
                } catch {
                    report.failed("Server RSS per idle TLS connection", target: "≤ 48 KiB", error)
                }
                let status = await fresh.terminate()
                report.note("Fresh server child \(fresh.pid) exited with status \(status) after SIGTERM.")
            } catch {
                report.failed("Server RSS per idle TLS connection", target: "≤ 48 KiB", error)
            }
        }
        watchdog.watch(child: nil)

        print(report.render(header: header.finished(buildLabel: "build", details: ["RLIMIT_NOFILE \(fileLimit)"])))
    }

    /// Pings on a connection of its own against the otherwise idle server; with `onLoop`, the
    /// calling task runs on the connection's event loop (no hand-off between the loop and Swift's
    /// cooperative threads on the client side, as ferryd serves Ping).
    private static func idleLatency(target: BenchTarget, pings: Int, onLoop: Bool = false) async throws -> LatencySample {
        let loop = BenchTarget.measurementLoop.next()
        let transport = target.makeTransport(group: onLoop ? loop : MultiThreadedEventLoopGroup.singleton)
        try await transport.connect()
        let sample = await withTaskExecutorPreference(onLoop ? EventLoopTaskExecutor(eventLoop: loop) : nil) {
            await Latency.measure(
                client: RPCClient(transport: transport),
                warmUp: 500,
                count: pings,
                until: .now + .seconds(90)
            )
        }
        await transport.close()
        return sample
    }
}

extension HeartbeatMessages: ExpressibleByArgument {}
