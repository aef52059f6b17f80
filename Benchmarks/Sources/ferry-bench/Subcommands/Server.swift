import ArgumentParser
import Dispatch
import FerryRPC
import FerryTransport
import NIOCore
import NIOPosix
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// `ferry-bench server`: the server under test, normally started by `run` as a child process.
///
/// Serves `bench.Bench` over TLS on 127.0.0.1 with the transport's default configuration,
/// prints `READY <port>` once listening, and exits on SIGTERM or SIGINT (or when `--parent-pid`
/// is gone).
struct Server: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the benchmark server (bench.Bench: Heartbeat, Ping, Stats) and print READY <port>."
    )

    @Option(help: "TCP port on 127.0.0.1; 0 picks a free one.")
    var port = 0

    @Option(help: "Certificate directory made by `deploy/certs/ferry-certs.sh dev DIR`.")
    var certs: String

    @Option(help: "Descriptor limit to raise RLIMIT_NOFILE to.")
    var fileLimit = 65_536

    @Option(help: ArgumentHelp("Exit when this process is gone (set by `run`).", visibility: .hidden))
    var parentPid: Int32?

    func run() async throws {
        ProcFS.raiseFileLimit(to: fileLimit)
        let certificates = BenchCertificates(directory: certs)
        guard certificates.isComplete else {
            throw BenchError("\(certs) lacks the certificates; run `deploy/certs/ferry-certs.sh dev \(certs)`")
        }
        var configuration = ServerTransportConfiguration()
        configuration.gracePeriod = .seconds(2)
        let transport = FerryServerTransport(
            host: "127.0.0.1",
            port: port,
            tls: try certificates.serverContext(),
            configuration: configuration
        )
        let server = RPCServer(
            transport: transport, services: [BenchService()],
            streamingExecutor: ThreadPoolTaskExecutor())
        let stop = StopSignal(parentPid: parentPid)

        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.serve() }
            let address = try await transport.listeningAddress()
            FileHandle.standardOutput.write(Data("READY \(address.port ?? port)\n".utf8))
            await stop.wait()
            server.beginGracefulShutdown()
            // In-flight calls get the grace period; whatever still hangs after it does not keep us.
            DispatchQueue.global().asyncAfter(deadline: .now() + 5) { Glibc.exit(0) }
            try await group.waitForAll()
        }
    }
}

/// Fires once on SIGTERM, SIGINT, or when the parent process has gone away.
///
/// `@unchecked Sendable`: the dispatch sources are only kept alive here, never touched after `init`.
private final class StopSignal: @unchecked Sendable {
    private let stream: AsyncStream<Void>
    private let sources: [any DispatchSourceProtocol]

    init(parentPid: Int32?) {
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self)
        self.stream = stream
        var sources: [any DispatchSourceProtocol] = []
        for signalNumber in [SIGTERM, SIGINT] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { continuation.yield() }
            source.resume()
            sources.append(source)
        }
        if let parentPid {
            let timer = DispatchSource.makeTimerSource(queue: .global())
            timer.schedule(deadline: .now() + 1, repeating: 1)
            timer.setEventHandler {
                if getppid() != parentPid { continuation.yield() }
            }
            timer.resume()
            sources.append(timer)
        }
        self.sources = sources
    }

    /// Returns at the first signal.
    func wait() async {
        for await _ in stream { return }
    }
}
