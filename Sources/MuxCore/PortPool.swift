/// The UDP ports of range mode. Ports are handed out round-robin, so a port just freed is the last to be
/// reused (late packets for an old session do not reach a new one), and every port is returned on close.
public struct PortPool: Sendable {
    public let range: ClosedRange<Int>
    private var free: Set<Int>
    private var cursor: Int

    public init(range: ClosedRange<Int>) {
        self.range = range
        self.free = Set(range)
        self.cursor = range.lowerBound
    }

    public var inUse: Int { self.range.count - self.free.count }
    public var available: Int { self.free.count }

    /// The next free port at or after the cursor, or nil when all are taken.
    public mutating func allocate() -> Int? {
        guard !self.free.isEmpty else { return nil }
        for offset in 0..<self.range.count {
            let port = self.range.lowerBound + (self.cursor - self.range.lowerBound + offset) % self.range.count
            if self.free.remove(port) != nil {
                self.cursor = port == self.range.upperBound ? self.range.lowerBound : port + 1
                return port
            }
        }
        return nil
    }

    public mutating func release(_ port: Int) {
        precondition(self.range.contains(port), "port \(port) is not from this pool")
        self.free.insert(port)
    }
}
