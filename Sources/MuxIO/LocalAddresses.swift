import MuxWire
import NIOCore

/// Turns configured bind addresses into the concrete addresses to bind.
enum LocalAddresses {
    /// A wildcard becomes every address of its family on the host (link-local IPv6 left out: it needs a
    /// scope), because a socket bound to a wildcard cannot choose the source of its replies.
    static func expand(_ configured: [IPAddress]) throws -> [IPAddress] {
        var result: [IPAddress] = []
        for address in configured {
            if address.isUnspecified {
                let devices = try System.enumerateDevices()
                for device in devices {
                    guard let socketAddress = device.address, let local = TransportAddress(socketAddress) else { continue }
                    guard local.ip.isIPv4 == address.isIPv4, !self.isLinkLocal(local.ip) else { continue }
                    if !result.contains(local.ip) { result.append(local.ip) }
                }
            } else if !result.contains(address) {
                result.append(address)
            }
        }
        return result
    }

    private static func isLinkLocal(_ ip: IPAddress) -> Bool {
        if case .v6(let high, _) = ip { return high >> 54 == 0x3FA }  // fe80::/10
        return false
    }
}
