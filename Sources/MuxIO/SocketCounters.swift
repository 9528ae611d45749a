import CoreMetrics
import MuxCore
import MuxWire

/// The counters of one socket label: a single-port socket is labelled by its address (`127.0.0.1:7882`);
/// all range sockets share the label `range` so a port range does not explode the metric's cardinality.
/// Made once per label; every update is an atomic add.
final class SocketCounters: Sendable {
    let label: String
    private let packetsIn: [Counter]
    private let packetsOut: [Counter]
    private let bytesIn: Counter
    private let bytesOut: Counter
    private let drops: [DropReason: Counter]
    private let sendErrors: Counter
    let kernelDrops: Gauge

    init(label: String, factory: any MetricsFactory) {
        self.label = label
        func packets(_ direction: String) -> [Counter] {
            PacketClass.allCases.map {
                Counter(
                    label: "mediamux_udp_packets_total",
                    dimensions: [("socket", label), ("direction", direction), ("class", $0.label)], factory: factory
                )
            }
        }
        self.packetsIn = packets("in")
        self.packetsOut = packets("out")
        self.bytesIn = Counter(
            label: "mediamux_udp_bytes_total", dimensions: [("socket", label), ("direction", "in")], factory: factory)
        self.bytesOut = Counter(
            label: "mediamux_udp_bytes_total", dimensions: [("socket", label), ("direction", "out")], factory: factory)
        self.drops = Counter.perCase(
            of: DropReason.self, label: "mediamux_udp_dropped_total", dimensions: [("socket", label)],
            dimension: "reason", factory: factory)
        self.sendErrors = Counter(
            label: "mediamux_udp_send_errors_total", dimensions: [("socket", label)], factory: factory)
        self.kernelDrops = Gauge(
            label: "mediamux_socket_kernel_drops", dimensions: [("socket", label)], factory: factory)
        for counter in self.packetsIn + self.packetsOut + [self.bytesIn, self.bytesOut, self.sendErrors] {
            counter.increment(by: 0)
        }
        self.kernelDrops.record(0)
    }

    func received(_ packetClass: PacketClass, bytes: Int) {
        self.packetsIn[Int(packetClass.rawValue)].increment()
        self.bytesIn.increment(by: bytes)
    }

    func sent(_ packetClass: PacketClass, bytes: Int) {
        self.packetsOut[Int(packetClass.rawValue)].increment()
        self.bytesOut.increment(by: bytes)
    }

    /// The kernel refused a datagram mediamux sent (a full send buffer, or ICMP said the peer is gone).
    func sendFailed() {
        self.sendErrors.increment()
    }

    func dropped(_ reason: DropReason) {
        self.drops[reason]?.increment()
    }
}
