import Foundation
import MetricsTestKit
import MuxCore
import MuxWire
import Testing

@testable import MuxIO

/// The packet threads count into shards of their own and the exported counters get the sums when published:
/// nothing may be lost between threads, and nothing counted twice.
@Suite struct SocketCountersTests {
    @Test func publishesWhatEveryThreadCountedOnceAndOnlyOnce() async throws {
        let metrics = TestMetrics()
        let counters = SocketCounters(label: "test", threads: 2, factory: metrics)
        let perWriter = 100_000
        // Two packet threads, each on its own shard, and two other threads sharing the last one.
        let writers: [Int?] = [0, 1, nil, nil]
        let done = DispatchGroup()
        for thread in writers {
            done.enter()
            Thread {
                for _ in 0..<perWriter {
                    counters.received(.rtp, bytes: 3, thread: thread)
                    counters.dropped(.unknownAddress, thread: thread)
                }
                done.leave()
            }.start()
        }
        // Published while the writers run, as a scrape would, and once more after them.
        while done.wait(timeout: .now() + .milliseconds(5)) == .timedOut { counters.publish() }
        counters.publish()

        let total = Int64(writers.count * perWriter)
        let packets = try metrics.expectCounter(
            "mediamux_udp_packets_total", [("socket", "test"), ("direction", "in"), ("class", "rtp")])
        let bytes = try metrics.expectCounter("mediamux_udp_bytes_total", [("socket", "test"), ("direction", "in")])
        let drops = try metrics.expectCounter(
            "mediamux_udp_dropped_total", [("socket", "test"), ("reason", "unknown_address")])
        #expect(packets.totalValue == total)
        #expect(bytes.totalValue == 3 * total)
        #expect(drops.totalValue == total)

        counters.publish()
        #expect(packets.totalValue == total, "a publish with nothing new adds nothing")
        counters.sent(.stun, bytes: 20, thread: 1)
        counters.publish()
        let sent = try metrics.expectCounter(
            "mediamux_udp_packets_total", [("socket", "test"), ("direction", "out"), ("class", "stun")])
        #expect(sent.totalValue == 1)
    }
}
