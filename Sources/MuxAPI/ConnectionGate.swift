import MuxWire
import Synchronization

/// Counts the API's open connections, in total and per source, and refuses one that would exceed a cap.
final class ConnectionGate: Sendable {
    enum Refusal: String, CaseIterable { case total, perIP = "per_ip" }

    private struct Counts {
        var total = 0
        var bySource: [IPAddress: Int] = [:]
    }

    let limits: HTTPLimits
    private let counts = Mutex(Counts())

    init(limits: HTTPLimits) {
        self.limits = limits
    }

    var open: Int { self.counts.withLock { $0.total } }

    /// nil admits the connection, which must later be `release`d with the same address.
    func admit(_ ip: IPAddress?) -> Refusal? {
        let trusted = ip.map { ip in self.limits.trusted.contains { $0.contains(ip) } } ?? false
        let source = ip?.hostPrefix
        return self.counts.withLock { counts in
            if !trusted {
                guard counts.total < self.limits.maxConnections else { return .total }
                if let perIP = self.limits.maxConnectionsPerIP, let source, counts.bySource[source, default: 0] >= perIP
                {
                    return .perIP
                }
            }
            counts.total += 1
            if let source { counts.bySource[source, default: 0] += 1 }
            return nil
        }
    }

    func release(_ ip: IPAddress?) {
        let source = ip?.hostPrefix
        self.counts.withLock { counts in
            counts.total -= 1
            guard let source, let held = counts.bySource[source] else { return }
            counts.bySource[source] = held > 1 ? held - 1 : nil
        }
    }
}
