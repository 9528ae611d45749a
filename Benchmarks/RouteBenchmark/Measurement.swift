import MallocInterposerSwift

/// The cost of one operation: median time over several runs, and heap allocations counted by the
/// malloc interposer (the process must run with it preloaded; `make bench` does that).
struct Measurement {
    let name: String
    let nanosecondsPerOperation: Double
    let allocationsPerOperation: Double

    static func run(_ name: String, iterations: Int, runs: Int = 5, _ operation: (Int) -> Void) -> Measurement {
        for index in 0..<(iterations / 10) { operation(index) }
        var timings: [Double] = []
        var allocations = 0
        for _ in 0..<runs {
            MallocInterposerSwift.reset()
            MallocInterposerSwift.hook()
            let start = ContinuousClock.now
            for index in 0..<iterations { operation(index) }
            let elapsed = ContinuousClock.now - start
            MallocInterposerSwift.unhook()
            allocations = max(allocations, MallocInterposerSwift.getStatistics().mallocCount)
            let nanoseconds = Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9
            timings.append(nanoseconds / Double(iterations))
        }
        timings.sort()
        return Measurement(
            name: name, nanosecondsPerOperation: timings[timings.count / 2],
            allocationsPerOperation: Double(allocations) / Double(iterations)
        )
    }

    /// True when the interposer is loaded: counting one deliberate allocation proves it.
    static var interposerIsActive: Bool {
        MallocInterposerSwift.reset()
        MallocInterposerSwift.hook()
        let probe = [Int](repeating: 1, count: 64)
        MallocInterposerSwift.unhook()
        return probe.count == 64 && MallocInterposerSwift.getStatistics().mallocCount > 0
    }
}
