import Foundation

/// The server's resident memory and CPU time from /proc, so a run reports what it cost the server.
struct ServerSample {
    /// Resident set size in bytes.
    let residentBytes: Int
    /// User plus system CPU time in seconds.
    let cpuSeconds: Double

    static func read(pid: Int32) -> ServerSample? {
        guard let status = Self.text("/proc/\(pid)/status"), let stat = Self.text("/proc/\(pid)/stat") else {
            return nil
        }
        let rssKiB = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }?
            .split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap { Int($0) }
        // Fields after the command name, which is in parentheses and may hold spaces: utime and stime are
        // the 14th and 15th fields of the whole line, so the 12th and 13th after ")".
        guard let close = stat.lastIndex(of: ")"), let rssKiB else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        return ServerSample(residentBytes: rssKiB * 1024, cpuSeconds: (user + system) / ticks)
    }

    private static func text(_ path: String) -> String? {
        try? String(contentsOfFile: path, encoding: .utf8)
    }
}
