#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process's limit on open file descriptors (`RLIMIT_NOFILE`). Each connection holds one
/// descriptor, so the soft limit, less the listener, the database's files and the event loops'
/// own, is how many connections `ferryd` can hold at once.
public struct DescriptorLimit: Sendable, Equatable {
    /// The limit in force.
    public var soft: UInt64
    /// The most the soft limit may be raised to without privileges.
    public var hard: UInt64

    /// The limit now.
    public static func current() -> DescriptorLimit {
        var limit = rlimit()
        _ = getrlimit(resource, &limit)
        return DescriptorLimit(soft: UInt64(limit.rlim_cur), hard: UInt64(limit.rlim_max))
    }

    /// Raises the soft limit to the hard one (allowed without privileges).
    ///
    /// - Returns: The limit in force afterwards.
    @discardableResult
    public static func raiseSoftToHard() -> DescriptorLimit {
        var limit = rlimit()
        if getrlimit(resource, &limit) == 0, limit.rlim_cur < limit.rlim_max {
            var raised = rlimit(rlim_cur: limit.rlim_max, rlim_max: limit.rlim_max)
            _ = setrlimit(resource, &raised)
        }
        return current()
    }

    #if canImport(Glibc)
    private static let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #else
    private static let resource = RLIMIT_NOFILE
    #endif
}
