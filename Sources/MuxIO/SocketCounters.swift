import CoreMetrics
import MuxCore
import MuxWire

/// The counters of one socket label: a single-port socket is labelled by its address (`127.0.0.1:7882`);
/// all range sockets share the label `range` so a port range does not explode the metric's cardinality.
/// An ICE-TCP listener counts its frames the same way, under `mediamux_tcp_*` and its own address
/// (`Family.tcp`), so the two transports of one port never mix in a graph.
///
/// Made once per label. The packet threads count into shards of their own (`ShardedCounters`), so counting
/// takes no locked instruction and no cache line that another thread writes; `publish()` adds what was
/// counted since the last time to the exported counters, when /metrics is scraped and once a second.
final class SocketCounters: Sendable {
    /// Which metric names and label the counters take.
    enum Family: Sendable {
        /// `mediamux_udp_packets_total{socket=…}` and friends, with the kernel's receive-buffer drops.
        case udp
        /// `mediamux_tcp_frames_total{listener=…}` and friends: RFC 4571 frames on ICE-TCP connections.
        case tcp
    }

    let label: String
    /// Nil for TCP, where the kernel drops nothing (a full buffer stops the sender instead).
    let kernelDrops: Gauge?
    private let counts: ShardedCounters

    // The slots: packets in and out per class, bytes in and out, drops per reason, send errors.
    private static let classes = PacketClass.allCases.count
    private static let packetsIn = 0
    private static let packetsOut = classes
    private static let bytesIn = 2 * classes
    private static let bytesOut = bytesIn + 1
    private static let drops = bytesOut + 1
    private static let sendErrors = drops + DropReason.allCases.count
    /// Made once: drops are counted by their index in it.
    private static let dropReasons = DropReason.allCases

    init(label: String, family: Family = .udp, threads: Int, factory: any MetricsFactory) {
        self.label = label
        let (prefix, units, key) =
            family == .udp ? ("mediamux_udp", "packets", "socket") : ("mediamux_tcp", "frames", "listener")
        func counter(_ name: String, _ dimensions: [(String, String)]) -> Counter {
            let counter = Counter(label: "\(prefix)_\(name)", dimensions: [(key, label)] + dimensions, factory: factory)
            counter.increment(by: 0)
            return counter
        }
        func packets(_ direction: String) -> [Counter] {
            PacketClass.allCases.map {
                counter("\(units)_total", [("direction", direction), ("class", $0.label)])
            }
        }
        let drops = Counter.perCase(
            of: DropReason.self, label: "\(prefix)_dropped_total", dimensions: [(key, label)],
            dimension: "reason", factory: factory)
        let exported =
            packets("in") + packets("out")
            + [counter("bytes_total", [("direction", "in")])]
            + [counter("bytes_total", [("direction", "out")])]
            + DropReason.allCases.map { drops[$0]! }
            + [counter("send_errors_total", [])]
        self.counts = ShardedCounters(exporting: exported, threads: threads)
        if family == .udp {
            let gauge = Gauge(label: "mediamux_socket_kernel_drops", dimensions: [(key, label)], factory: factory)
            gauge.record(0)
            self.kernelDrops = gauge
        } else {
            self.kernelDrops = nil
        }
    }

    /// `thread`, here and below: the packet thread this runs on, nil on any other.
    func received(_ packetClass: PacketClass, bytes: Int, thread: Int?) {
        self.counts.add(Self.packetsIn + Int(packetClass.rawValue), 1, thread: thread)
        self.counts.add(Self.bytesIn, bytes, thread: thread)
    }

    func sent(_ packetClass: PacketClass, bytes: Int, thread: Int?) {
        self.counts.add(Self.packetsOut + Int(packetClass.rawValue), 1, thread: thread)
        self.counts.add(Self.bytesOut, bytes, thread: thread)
    }

    /// The kernel refused a datagram mediamux sent (a full send buffer, or ICMP said the peer is gone).
    func sendFailed(thread: Int?) {
        self.counts.add(Self.sendErrors, 1, thread: thread)
    }

    func dropped(_ reason: DropReason, thread: Int?) {
        self.counts.add(Self.drops + Self.dropReasons.firstIndex(of: reason)!, 1, thread: thread)
    }

    /// Adds what every thread counted since the last call to the exported counters.
    func publish() {
        self.counts.publish()
    }
}
