#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Reads what the benchmark needs from Linux's `/proc` and sets the file-descriptor limit.
///
/// Linux only: the benchmark runs on the project's Linux machines.
enum ProcFS {
    /// The resident set size of a process, from `/proc/PID/statm`.
    ///
    /// - Parameter pid: The process; `nil` for this one.
    /// - Returns: Bytes, or `nil` if the file cannot be read.
    static func residentBytes(pid: Int32? = nil) -> Int? {
        guard let text = read(path(pid, "statm")) else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// The peak resident set size of a process so far (`VmHWM` in `/proc/PID/status`).
    ///
    /// - Parameter pid: The process; `nil` for this one.
    /// - Returns: Bytes, or `nil` if the file cannot be read.
    static func peakResidentBytes(pid: Int32? = nil) -> Int? {
        guard let text = read(path(pid, "status")),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
            let kibibytes = Int(line.dropFirst("VmHWM:".count).split(whereSeparator: { $0 == " " || $0 == "\t" }).first ?? "")
        else { return nil }
        return kibibytes * 1024
    }

    /// User plus system CPU time a process has used, from `/proc/PID/stat`.
    ///
    /// - Parameter pid: The process; `nil` for this one.
    /// - Returns: The time (clock-tick resolution, usually 10 ms), or `nil`.
    static func cpuTime(pid: Int32? = nil) -> Duration? {
        guard let text = read(path(pid, "stat")), let close = text.lastIndex(of: ")") else { return nil }
        // After "(comm)" come the fields from 3 (state) on; utime and stime are fields 14 and 15.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Int(fields[11]), let system = Int(fields[12]) else { return nil }
        let ticksPerSecond = Int(sysconf(Int32(_SC_CLK_TCK)))
        guard ticksPerSecond > 0 else { return nil }
        return .microseconds((user + system) * 1_000_000 / ticksPerSecond)
    }

    /// CPU time the whole machine has spent busy (every CPU: user, nice, system, irq, softirq,
    /// steal; not idle or iowait), from the first line of `/proc/stat`. Compared with a
    /// process's own CPU time over a window, it tells how much other work ran meanwhile.
    static func machineBusyTime() -> Duration? {
        guard let text = read("/proc/stat"), let line = text.split(separator: "\n").first, line.hasPrefix("cpu ") else {
            return nil
        }
        let fields = line.split(separator: " ").dropFirst().compactMap { Int($0) }
        guard fields.count >= 8 else { return nil }
        // user nice system idle iowait irq softirq steal …
        let busy = fields[0] + fields[1] + fields[2] + fields[5] + fields[6] + fields[7]
        let ticksPerSecond = Int(sysconf(Int32(_SC_CLK_TCK)))
        guard ticksPerSecond > 0 else { return nil }
        return .microseconds(busy * 1_000_000 / ticksPerSecond)
    }

    /// The 1, 5 and 15-minute load averages, from `/proc/loadavg`.
    static func loadAverage() -> String? {
        read("/proc/loadavg").map { $0.split(separator: " ").prefix(3).joined(separator: " ") }
    }

    /// How many file descriptors a process has open, from `/proc/PID/fd`.
    ///
    /// - Parameter pid: The process; `nil` for this one.
    static func openFileCount(pid: Int32? = nil) -> Int? {
        guard let directory = opendir(path(pid, "fd")) else { return nil }
        defer { closedir(directory) }
        var count = 0
        // Bounded by the process's descriptors; `readdir` returns nil at the end.
        while let entry = readdir(directory) {
            let isDot = withUnsafeBytes(of: entry.pointee.d_name) { $0.first == UInt8(ascii: ".") }
            if !isDot { count += 1 }
        }
        return pid == nil ? count - 1 : count  // Our own listing holds one of ours.
    }

    /// Raises the soft and hard `RLIMIT_NOFILE` to at least `limit` (needs root for the hard one).
    ///
    /// - Parameter limit: The number of descriptors wanted.
    /// - Returns: The soft limit now in force.
    @discardableResult
    static func raiseFileLimit(to limit: Int) -> Int {
        var current = rlimit()
        _ = getrlimit(resourceNoFile, &current)
        if current.rlim_cur >= rlim_t(limit) { return Int(current.rlim_cur) }
        var wanted = rlimit(rlim_cur: rlim_t(limit), rlim_max: max(current.rlim_max, rlim_t(limit)))
        if setrlimit(resourceNoFile, &wanted) != 0 {
            // Not root: go as high as the hard limit allows.
            wanted = rlimit(rlim_cur: current.rlim_max, rlim_max: current.rlim_max)
            _ = setrlimit(resourceNoFile, &wanted)
        }
        _ = getrlimit(resourceNoFile, &current)
        return Int(current.rlim_cur)
    }

    #if canImport(Glibc)
    private static let resourceNoFile = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #else
    private static let resourceNoFile = RLIMIT_NOFILE
    #endif

    private static func path(_ pid: Int32?, _ file: String) -> String {
        "/proc/\(pid.map(String.init) ?? "self")/\(file)"
    }

    /// Reads a small file whose size `stat` does not tell (as in `/proc`).
    private static func read(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        // Bounded: at most 256 KiB, and `read` returns 0 at the end.
        while bytes.count < 256 * 1024 {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            bytes += chunk[..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// `CLOCK_MONOTONIC`, which both processes share, so a timestamp taken in one can be compared
/// with one taken in the other.
enum MonotonicTime {
    /// Nanoseconds on the shared monotonic clock.
    static func nanoseconds() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}
