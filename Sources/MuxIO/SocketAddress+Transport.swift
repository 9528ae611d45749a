import MuxWire
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

extension TransportAddress {
    /// Reads the address out of NIO's `SocketAddress` without allocating; nil for Unix sockets.
    public init?(_ address: SocketAddress) {
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
        var storage = sockaddr_storage()
        _ = address.write(to: &storage)
        switch address.ip {
        case .v4: self.init(withUnsafeBytes(of: &storage) { $0.load(as: sockaddr_in.self) }, host: "")
        case .v6: self.init(withUnsafeBytes(of: &storage) { $0.load(as: sockaddr_in6.self) }, host: "")
        }
    }
}
