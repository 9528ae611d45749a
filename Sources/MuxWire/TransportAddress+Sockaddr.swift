#if canImport(Glibc)
import Glibc
#endif

/// The socket API's form of an address, for the code that calls it (MuxIO, the load generator, tests).
extension TransportAddress {
    /// Reads a `sockaddr_in` or `sockaddr_in6` without allocating; nil for other families.
    public init?(storage: UnsafePointer<sockaddr_storage>) {
        switch Int32(storage.pointee.ss_family) {
        case AF_INET:
            let raw = UnsafeRawPointer(storage).load(as: sockaddr_in.self)
            self.init(ip: .v4(UInt32(bigEndian: raw.sin_addr.s_addr)), port: UInt16(bigEndian: raw.sin_port))
        case AF_INET6:
            var raw = UnsafeRawPointer(storage).load(as: sockaddr_in6.self)
            let ip = withUnsafeBytes(of: &raw.sin6_addr) { IPAddress(v6Bytes: $0) }
            self.init(ip: ip, port: UInt16(bigEndian: raw.sin6_port))
        default:
            return nil
        }
    }

    /// Writes the address as a `sockaddr_in` or `sockaddr_in6` and returns its length.
    public func write(to storage: UnsafeMutablePointer<sockaddr_storage>) -> socklen_t {
        switch self.ip {
        case .v4(let value):
            var raw = sockaddr_in()
            raw.sin_family = sa_family_t(AF_INET)
            raw.sin_port = self.port.bigEndian
            raw.sin_addr = in_addr(s_addr: value.bigEndian)
            UnsafeMutableRawPointer(storage).storeBytes(of: raw, as: sockaddr_in.self)
            return socklen_t(MemoryLayout<sockaddr_in>.size)
        case .v6:
            var raw = sockaddr_in6()
            raw.sin6_family = sa_family_t(AF_INET6)
            raw.sin6_port = self.port.bigEndian
            withUnsafeMutableBytes(of: &raw.sin6_addr) { $0.copyBytes(from: self.ip.bytes) }
            UnsafeMutableRawPointer(storage).storeBytes(of: raw, as: sockaddr_in6.self)
            return socklen_t(MemoryLayout<sockaddr_in6>.size)
        }
    }
}
