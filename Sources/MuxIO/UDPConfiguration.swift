import MuxCore
import MuxICE
import MuxWire

/// How sessions get their UDP ports.
public enum PortMode: String, Sendable, CaseIterable {
    /// Every session on one port per bind address.
    case single
    /// Each session on its own port from a range.
    case range
    /// The single-port candidate first, a range port as a lower-priority fallback.
    case both
}

/// A local address as the outside world sees it (1:1 NAT): candidates carry `publicIP`, and `publicPort`
/// if set (single-port candidates only; range ports are announced as bound).
public struct AnnouncedAddress: Sendable, Equatable {
    public var local: IPAddress
    public var publicIP: IPAddress
    public var publicPort: UInt16?

    public init(local: IPAddress, publicIP: IPAddress, publicPort: UInt16? = nil) {
        self.local = local
        self.publicIP = publicIP
        self.publicPort = publicPort
    }
}

/// Everything about the UDP side; defaults match docs/configuration.md.
public struct UDPConfiguration: Sendable {
    public var mode: PortMode = .single
    /// Addresses to bind. A wildcard (0.0.0.0 or ::) stands for every address of that family on the host,
    /// each bound separately so replies leave from the address a client sent to.
    public var bindAddresses: [IPAddress] = [.v4(0)]
    /// The single port; 0 lets the kernel choose (tests).
    public var port: Int = 7882
    public var portRange: ClosedRange<Int> = 50_000...50_999
    public var announced: [AnnouncedAddress] = []
    public var receiveBufferBytes: Int = 4 << 20
    /// Datagrams per recvmmsg call.
    public var vectorReadCount: Int = 32
    public var ioThreads: Int = 1

    public init() {}
}

/// Everything the mux needs besides sockets.
public struct MuxSettings: Sendable {
    public var udp = UDPConfiguration()
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
