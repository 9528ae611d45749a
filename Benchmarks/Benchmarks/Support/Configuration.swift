import Benchmark

/// The settings every mediamux benchmark shares.
public enum Measured {
    /// No `cpuTotal`: on Linux it is read from /proc in 10 ms ticks, so an iteration of microseconds shows 0,
    /// and reading it allocates 16 times inside the measured region, which would hide "0 allocations".
    public static var metrics: [BenchmarkMetric] { [.wallClock, .throughput, .mallocCountTotal] }

    /// How far a run may stray from the p90 values stored in Thresholds/ before `thresholds check` fails.
    public static var tolerance: [BenchmarkMetric: BenchmarkThresholds] {
        [
            // Not one allocation more or less.
            .mallocCountTotal: .init(absolute: [.p90: 0]),
            // Time on a shared VM: only a doubling (or a halving of throughput) is reported, as a regression;
            // a faster run is reported only when throughput more than doubles (then update the thresholds).
            .wallClock: .init(relative: [.p90: 100]),
            .throughput: .init(relative: [.p90: 100]),
        ]
    }

    /// 1,000 operations per iteration, results per operation.
    public static var perPacket: Benchmark.Configuration {
        .init(
            metrics: Self.metrics, timeUnits: .nanoseconds, warmupIterations: 10, scalingFactor: .kilo,
            maxDuration: .seconds(2), maxIterations: 10_000, thresholds: Self.tolerance
        )
    }
}
