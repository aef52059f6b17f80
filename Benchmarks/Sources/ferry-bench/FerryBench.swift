import ArgumentParser

/// `ferry-bench`: measures Ferry's transport in release builds, client and server in separate
/// processes on 127.0.0.1.
///
/// `run` starts `server` as its own child process and prints a table of results against the
/// targets of issue 2; `server` is the child, usable on its own for manual runs.
@main
struct FerryBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ferry-bench",
        abstract: "Benchmarks Ferry's TLS transport: heartbeat throughput, unary latency, handshakes, idle-connection memory.",
        subcommands: [Run.self, Server.self, ServerLoad.self]
    )
}
