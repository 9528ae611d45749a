import MuxCore
import MuxICE
import MuxIO
import MuxWire

/// Everything the session manager and its transport are configured with.
public struct MuxSettings: Sendable {
    public var udp = UDPConfiguration()
    public var tcp = TCPConfiguration()
    public var limits = AdmissionLimits()
    public var timeouts = ICETimeouts()
    public var rateLimit = FailureRateLimiter.Settings()
    public var checkBudgets = CheckBudgets()
    public var defaultHandler = "echo"
    /// This process's name in admission tickets; a shared store tells nodes apart by it. The host name.
    public var nodeID = MuxSettings.hostName
    /// Where `rtp` sessions open their plain port, and which sinks they may send to.
    public var plainPortAddress: IPAddress = .v4(0x7F00_0001)
    public var allowedRTPSinks: [IPNetwork] = [IPNetwork("127.0.0.0/8")!, IPNetwork("::1")!]

    /// How often timers and kernel counters are looked at.
    public var tick: Duration = .milliseconds(250)

    public init() {}
}

#if canImport(Glibc)
import Glibc
#endif

extension MuxSettings {
    /// Asked of the kernel once, not for every `MuxSettings` made.
    static let hostName: String = {
        var name = [CChar](repeating: 0, count: 256)
        guard gethostname(&name, name.count - 1) == 0 else { return "localhost" }
        return String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }()
}
