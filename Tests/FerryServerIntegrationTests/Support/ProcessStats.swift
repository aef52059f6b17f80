import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// What `/proc` tells about a child process.
enum ProcessStats {
    /// Open file descriptors, from `/proc/PID/fd`.
    static func openDescriptors(_ pid: Int32) -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? 0
    }

    /// utime + stime, from `/proc/PID/stat`.
    static func cpuSeconds(_ pid: Int32) throws -> Double {
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        let fields = try #require(stat.split(separator: ")").last).split(separator: " ")
        let ticks = (Double(fields[11]) ?? 0) + (Double(fields[12]) ?? 0)
        return ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Resident set size in bytes, from `/proc/PID/statm`.
    static func residentBytes(_ pid: Int32) throws -> Int {
        let statm = try String(contentsOfFile: "/proc/\(pid)/statm", encoding: .utf8)
        let pages = try #require(Int(statm.split(separator: " ")[1]))
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
