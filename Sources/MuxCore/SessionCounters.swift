import Synchronization

/// Media datagrams and bytes of one session, updated from any I/O thread without a lock.
public final class SessionCounters: Sendable {
    private let inboundPackets = Atomic<Int>(0)
    private let inboundBytes = Atomic<Int>(0)
    private let outboundPackets = Atomic<Int>(0)
    private let outboundBytes = Atomic<Int>(0)

    public init() {}

    public func recordInbound(bytes: Int) {
        self.inboundPackets.wrappingAdd(1, ordering: .relaxed)
        self.inboundBytes.wrappingAdd(bytes, ordering: .relaxed)
    }

    public func recordOutbound(bytes: Int) {
        self.outboundPackets.wrappingAdd(1, ordering: .relaxed)
        self.outboundBytes.wrappingAdd(bytes, ordering: .relaxed)
    }

    public var snapshot: TrafficCounts {
        TrafficCounts(
            packetsIn: self.inboundPackets.load(ordering: .relaxed),
            bytesIn: self.inboundBytes.load(ordering: .relaxed),
            packetsOut: self.outboundPackets.load(ordering: .relaxed),
            bytesOut: self.outboundBytes.load(ordering: .relaxed)
        )
    }
}

public struct TrafficCounts: Sendable, Equatable, Codable {
    public var packetsIn: Int
    public var bytesIn: Int
    public var packetsOut: Int
    public var bytesOut: Int
}
