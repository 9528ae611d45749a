import MuxWire

#if canImport(Glibc)
import Glibc
#endif

/// Opens the non-blocking sockets that UDP and ICE-TCP serve on: one family for `local`, IPv6 sockets
/// IPv6-only (the IPv4 address has a socket of its own), the options given, then bound.
enum BoundSocket {
    /// A `SOL_SOCKET`-level integer option.
    struct Option {
        let name: Int32
        let value: Int32

        static func enabled(_ name: Int32) -> Option { Option(name: name, value: 1) }
    }

    /// The descriptor and the address as bound: the kernel's port when `local` asks for 0. The descriptor is
    /// closed again when a step fails.
    static func open(
        _ type: __socket_type, on local: TransportAddress, options: [Option]
    ) throws(SocketError) -> (descriptor: Int32, local: TransportAddress) {
        let family = local.ip.isIPv4 ? AF_INET : AF_INET6
        let descriptor = socket(
            family, Int32(type.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw SocketError("socket", local, errno) }
        func set(_ level: Int32, _ name: Int32, _ value: Int32) {
            var value = value
            setsockopt(descriptor, level, name, &value, socklen_t(MemoryLayout<Int32>.size))
        }
        if !local.ip.isIPv4 { set(Int32(IPPROTO_IPV6), IPV6_V6ONLY, 1) }
        for option in options { set(SOL_SOCKET, option.name, option.value) }
        var address = sockaddr_storage()
        let length = local.write(to: &address)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(descriptor, $0, length) }
        }
        guard bound == 0 else {
            let error = SocketError("bind", local, errno)
            Glibc.close(descriptor)
            throw error
        }
        var actual = sockaddr_storage()
        var actualLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &actualLength) }
        }
        return (descriptor, withUnsafePointer(to: &actual) { TransportAddress(storage: $0) } ?? local)
    }
}
