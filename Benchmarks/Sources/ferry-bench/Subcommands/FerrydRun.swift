/// One run of a subcommand that measures a real `ferryd` (`server-load`, `import`): the watchdog
/// over the whole run, the ferryd child, and the report with its header, from ferryd's start to
/// the printed report.
struct FerrydRun {
    /// Kills the children and exits if the run overruns its budget.
    let watchdog: Watchdog
    /// The running ferryd (a new process after ``killAndRelaunch()``).
    private(set) var server: FerrydProcess
    /// The lines above the report's table.
    var header: ReportHeader
    /// The results.
    var report = Report()

    /// Arms the watchdog, starts the header, then ferryd (saying so on standard error), which the
    /// watchdog kills on expiry and the header names.
    ///
    /// - Parameters:
    ///   - title: The report's heading (`## ferry-bench import`).
    ///   - executable: The `ferryd` binary, from ``FerrydOptions/executable()``.
    ///   - options: The subcommand's ferryd options.
    ///   - certificates: The dev PKI.
    ///   - pingInterval: ferryd's `--sync-ping-interval-seconds`.
    ///   - extraArguments: More ferryd arguments.
    ///   - budget: The whole run's time limit.
    /// - Returns: The run, ferryd listening.
    /// - Throws: ``BenchError`` when ferryd does not start.
    static func start(
        _ title: String,
        executable: String,
        options: FerrydOptions,
        certificates: BenchCertificates,
        pingInterval: Double,
        extraArguments: [String] = [],
        budget: Duration
    ) async throws -> FerrydRun {
        let watchdog = Watchdog(limit: budget)
        var header = ReportHeader(title: title)
        ProgressLog.write("starting ferryd (load average \(header.loadAtStart))")
        let server: FerrydProcess
        do {
            server = try await FerrydProcess.launch(
                executable: executable, certificates: certificates, pingInterval: pingInterval,
                staleAfter: options.staleAfter, databaseURL: options.databaseURL, extraArguments: extraArguments)
        } catch {
            watchdog.cancel()
            throw error
        }
        watchdog.watch(child: server.child.pid)
        header.add("Server", child: server.child)
        return FerrydRun(watchdog: watchdog, server: server, header: header)
    }

    /// Kills ferryd with SIGKILL and lets `standby` (``FerrydProcess/standby()``) run in its
    /// place, on the same database and port; the watchdog and the header follow the new process.
    ///
    /// - Throws: ``BenchError`` when the new process does not listen.
    mutating func killAndRelaunch(standby: ChildProcess) async throws {
        server = try await server.killAndRelaunch(standby: standby)
        watchdog.watch(child: server.child.pid)
        header.add("Server after the restart", child: server.child)
    }

    /// Records that `metric` could not be measured, with ferryd's last log lines.
    mutating func failed(_ metric: String, _ error: any Error) {
        report.failed(metric, error)
        report.note("ferryd's last log lines: " + server.child.lastLogLines(5).joined(separator: " | "))
    }

    /// Stops ferryd, notes how it ended (the note finished by `ending`), prints the report and
    /// disarms the watchdog.
    mutating func finish(ending: String) async {
        let end = await server.stop()
        watchdog.watch(child: nil)
        report.note(end + ending)
        print(report.render(header: header.finished()))
        watchdog.cancel()
    }
}
