import ArgumentParser

/// `ferry-bench`: measures Ferry's transport in release builds, client and server in separate
/// processes on 127.0.0.1.
///
/// `run` starts `server` as its own child process and prints a table of results against the
/// targets of issue 2; `server` is the child, usable on its own for manual runs. `server-load`
/// (issue 3), `import` (issue 4), `idle-memory` (issue 9), `object-import` (issue 11), `export`
/// and `dataset-scan` (issue 12), `restart-storm` (issue 15) measure the real `ferryd` (and `ferry-worker`) release builds.
@main
struct FerryBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ferry-bench",
        abstract: "Benchmarks Ferry: its TLS transport (run), a loaded ferryd (server-load), local-files import (import), object-store import (object-import), export (export), dataset scans (dataset-scan), ferryd's memory around bursts of idle connections (idle-memory), and a kill -9 restart under many workers' heartbeat streams (restart-storm).",
        subcommands: [
            Run.self, Server.self, ServerLoad.self, ImportBench.self, ObjectImportBench.self, ExportBench.self,
            DatasetScanBench.self, IdleMemory.self, RestartStorm.self, Pinger.self,
        ]
    )
}
