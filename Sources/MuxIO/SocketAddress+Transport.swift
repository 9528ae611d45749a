import MuxWire
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

extension TransportAddress {
    /// Reads the address out of NIO's `SocketAddress` without allocating; nil for Unix sockets.
    init?(_ address: SocketAddress) {
        switch address {
        case .v4(let v4):
            let raw = v4.address
            self.init(ip: .v4(UInt32(bigEndian: raw.sin_addr.s_addr)), port: UInt16(bigEndian: raw.sin_port))
        case .v6(let v6):
            var raw = v6.address
            let ip = withUnsafeBytes(of: &raw.sin6_addr) { IPAddress(v6Bytes: $0) }
            self.init(ip: ip, port: UInt16(bigEndian: raw.sin6_port))
        case .unixDomainSocket:
            return nil
        }
    }
}

extension SocketAddress {
    /// Builds NIO's address (one allocation); callers cache it.
    init(_ address: TransportAddress) {
        switch address.ip {
        case .v4(let value):
            var raw = sockaddr_in()
            raw.sin_family = sa_family_t(AF_INET)
            raw.sin_port = address.port.bigEndian
            raw.sin_addr = in_addr(s_addr: value.bigEndian)
            self.init(raw, host: "")
        case .v6:
            var raw = sockaddr_in6()
            raw.sin6_family = sa_family_t(AF_INET6)
            raw.sin6_port = address.port.bigEndian
            withUnsafeMutableBytes(of: &raw.sin6_addr) { $0.copyBytes(from: address.ip.bytes) }
            self.init(raw, host: "")
        }
    }
}
