import CoreMetrics

extension Counter {
    /// One counter per case of `Case`, with the case's raw value under `dimension` after `dimensions`, each
    /// exported at 0 from the start so that `rate()` works from the first scrape.
    public static func perCase<Case: CaseIterable & Hashable & RawRepresentable>(
        of _: Case.Type, label: String, dimensions: [(String, String)] = [], dimension: String,
        factory: any MetricsFactory
    ) -> [Case: Counter] where Case.RawValue == String {
        Dictionary(
            uniqueKeysWithValues: Case.allCases.map { value in
                let counter = Counter(
                    label: label, dimensions: dimensions + [(dimension, value.rawValue)], factory: factory)
                counter.increment(by: 0)
                return (value, counter)
            })
    }
}
