#if canImport(Glibc)
import Glibc
#endif

/// The process's open-file limit. Service managers often start a process with a soft limit of 1,024 and a
/// far higher hard one; a server that holds a socket per connection should take what it is allowed.
enum FileDescriptorLimit {
    /// Raises the soft limit to the hard one and returns the soft limit in force.
    static func raise() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        return Int(clamping: limit.rlim_cur)
    }

    /// API connections may take at most half the descriptors: the other half is for UDP sockets, range
    /// ports and plain RTP ports, so a flood of connections cannot stop sessions from being made.
    static func connectionCap(configured: Int, descriptors: Int) -> Int {
        min(configured, max(descriptors / 2, 16))
    }
}
