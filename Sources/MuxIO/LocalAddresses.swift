import MuxWire
import NIOCore

/// Turns configured bind addresses into the concrete addresses to bind.
enum LocalAddresses {
    /// A wildcard becomes every address of its family on the host (link-local IPv6 left out: it needs a
    /// scope), because a socket bound to a wildcard cannot choose the source of its replies.
    /// Loopback addresses are left out too, unless the host has nothing else: a remote peer cannot use them.
    static func expand(_ configured: [IPAddress]) throws -> [IPAddress] {
        var result: [IPAddress] = []
        for address in configured {
            let expanded = address.isUnspecified ? try self.hostAddresses(ipv4: address.isIPv4) : [address]
            for ip in expanded where !result.contains(ip) {
                result.append(ip)
            }
        }
        guard !result.isEmpty else { throw UDPTransportError.noLocalAddress(configured.map { "\($0)" }) }
        return result
    }

    private static func hostAddresses(ipv4: Bool) throws -> [IPAddress] {
        let all = try System.enumerateDevices().compactMap { $0.address.flatMap { TransportAddress($0)?.ip } }
            .filter { $0.isIPv4 == ipv4 && !self.isLinkLocal($0) }
        let routable = all.filter { !$0.isLoopback }
        return routable.isEmpty ? all : routable
    }

    private static func isLinkLocal(_ ip: IPAddress) -> Bool {
        if case .v6(let high, _) = ip { return high >> 54 == 0x3FA }  // fe80::/10
        return false
    }
}
