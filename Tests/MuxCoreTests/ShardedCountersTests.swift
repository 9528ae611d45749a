import CoreMetrics
import Foundation
import MetricsTestKit
import MuxCore
import Synchronization
import Testing

/// Counters kept per packet thread: a thread knows its index once it entered as a packet thread, and the
/// exported counter gets the sum of every shard when published.
@Suite struct ShardedCountersTests {
    @Test func eachPacketThreadCountsByItsOwnIndexAndPublishSumsThem() throws {
        let metrics = TestMetrics()
        let exported = Counter(label: "test_total", factory: metrics)
        let counters = ShardedCounters(exporting: [exported], threads: 2)
        let perWriter = 50_000
        let indexes = Mutex<[Int?]>([])
        let done = DispatchGroup()
        // Two packet threads and one other thread, which shares the last shard.
        for index in [0, 1, nil] as [Int?] {
            done.enter()
            Thread {
                if let index { PacketThread.enter(index: index) }
                let thread = PacketThread.current
                indexes.withLock { $0.append(thread) }
                for _ in 0..<perWriter { counters.add(0, 1, thread: thread) }
                done.leave()
            }.start()
        }
        done.wait()
        #expect(Set(indexes.withLock { $0 }) == [0, 1, nil])
        #expect(exported.totalValueOrZero(in: metrics) == 0, "nothing is exported before a publish")
        counters.publish()
        counters.publish()
        #expect(exported.totalValueOrZero(in: metrics) == Int64(3 * perWriter), "published once and only once")
    }
}

extension Counter {
    fileprivate func totalValueOrZero(in metrics: TestMetrics) -> Int64 {
        (try? metrics.expectCounter(self.label).totalValue) ?? 0
    }
}
