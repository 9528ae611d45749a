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

    /// The packet threads the transport runs: `ioThreads`, at least one. Counters kept per thread need as many
    /// shards.
    public var packetThreadCount: Int { max(1, self.ioThreads) }

    public init() {}
}
