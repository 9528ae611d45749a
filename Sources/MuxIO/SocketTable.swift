#if canImport(Glibc)
import Glibc
#endif

/// The kernel's table of UDP sockets (`/proc/net/udp`, `/proc/net/udp6`), read to see who else holds a
/// port: SO_REUSEPORT lets any socket of the same user join a group, silently taking a share of its packets.
enum SocketTable {
    /// Sockets bound to the same local address and port as `descriptors`, other than those.
    static func sharers(of descriptors: [Int32], ipv4: Bool) -> Int {
        let ours = Set(descriptors.compactMap(Self.inode))
        guard ours.count == descriptors.count,
            let rows = Self.read(ipv4 ? "/proc/net/udp" : "/proc/net/udp6")
        else {
            return 0
        }
        // Columns: sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...
        let sockets = rows.split(separator: "\n").dropFirst().compactMap { row -> (local: Substring, inode: UInt64)? in
            let columns = row.split(separator: " ")
            guard columns.count > 9, let inode = UInt64(columns[9]) else { return nil }
            return (columns[1], inode)
        }
        let locals = Set(sockets.filter { ours.contains($0.inode) }.map(\.local))
        return sockets.filter { locals.contains($0.local) && !ours.contains($0.inode) }.count
    }

    /// A /proc file in full (its size reads as 0, so it is read until the end).
    private static func read(_ path: String) -> String? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            guard count > 0 else { return count == 0 ? String(decoding: bytes, as: UTF8.self) : nil }
            bytes += chunk[..<count]
        }
    }

    private static func inode(_ descriptor: Int32) -> UInt64? {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return nil }
        return UInt64(info.st_ino)
    }
}
