import MuxWire
import Synchronization

/// The caps every packet thread's accepts share: connections in total, and per source address unless the
/// source is trusted. Taken at accept and close only, never per frame. Waiting connections are capped per
/// thread instead (`TCPStreams`), where the oldest can be closed without asking another thread.
final class TCPConnectionLimits: Sendable {
    private struct Counts {
        var total = 0
        /// Only sources that are not trusted, and only while the per-IP limit is on.
        var byIP: [IPAddress: Int] = [:]
    }

    private let maxTotal: Int
    private let maxPerIP: Int
    private let trusted: [IPNetwork]
    private let counts = Mutex(Counts())

    init(_ configuration: TCPConfiguration) {
        self.maxTotal = configuration.maxConnections
        self.maxPerIP = configuration.maxConnectionsPerIP
        self.trusted = configuration.trusted
    }

    /// Takes a place for a connection from `source`, or says which limit refuses it.
    func admit(_ source: IPAddress) -> TCPRefusal? {
        let limited = self.isLimited(source)
        return self.counts.withLock { counts in
            guard counts.total < self.maxTotal else { return .maxConnections }
            if limited {
                guard counts.byIP[source, default: 0] < self.maxPerIP else { return .maxConnectionsPerIP }
                counts.byIP[source, default: 0] += 1
            }
            counts.total += 1
            return nil
        }
    }

    /// Gives back the place `admit` took.
    func release(_ source: IPAddress) {
        let limited = self.isLimited(source)
        self.counts.withLock { counts in
            counts.total -= 1
            guard limited, let held = counts.byIP[source] else { return }
            counts.byIP[source] = held > 1 ? held - 1 : nil
        }
    }

    var total: Int { self.counts.withLock { $0.total } }

    private func isLimited(_ source: IPAddress) -> Bool {
        self.maxPerIP > 0 && !self.trusted.contains { $0.contains(source) }
    }
}
