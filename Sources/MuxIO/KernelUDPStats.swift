import MuxWire

#if canImport(Glibc)
import Glibc
#endif

/// The kernel's own receive-queue drops per local UDP address, from the `drops` column of
/// /proc/net/udp and /proc/net/udp6: datagrams that arrived while the socket buffer was full.
enum KernelUDPStats {
    static func read() -> [TransportAddress: Int] {
        var drops: [TransportAddress: Int] = [:]
        for path in ["/proc/net/udp", "/proc/net/udp6"] {
            guard let text = self.contents(of: path) else { continue }
            for (address, count) in self.parse(text) {
                drops[address, default: 0] += count
            }
        }
        return drops
    }

    /// Parses lines like `  12: 0100007F:1ECA 00000000:0000 07 ... 0 13` (local address in the kernel's
    /// byte order, drops last).
    static func parse(_ text: String) -> [(TransportAddress, Int)] {
        text.split(separator: "\n").dropFirst().compactMap { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 13, let drops = Int(fields[fields.count - 1]) else { return nil }
            let local = fields[1].split(separator: ":")
            guard local.count == 2, let port = UInt16(local[1], radix: 16), let ip = self.kernelIP(local[0]) else { return nil }
            return (TransportAddress(ip: ip, port: port), drops)
        }
    }

    /// The kernel prints each 32-bit word of the address in host (little-endian) order.
    private static func kernelIP(_ hex: Substring) -> IPAddress? {
        let words = stride(from: 0, to: hex.count, by: 8).compactMap { offset -> UInt32? in
            let start = hex.index(hex.startIndex, offsetBy: offset)
            let end = hex.index(start, offsetBy: 8, limitedBy: hex.endIndex) ?? hex.endIndex
            return UInt32(hex[start..<end], radix: 16)
        }
        switch words.count {
        case 1:
            return .v4(words[0].byteSwapped)
        case 4:
            let bytes = words.flatMap { word in (0..<4).map { UInt8(truncatingIfNeeded: word >> (8 * $0)) } }
            return bytes.withUnsafeBytes { IPAddress(v6Bytes: $0) }
        default:
            return nil
        }
    }

    private static func contents(of path: String) -> String? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = fread(&chunk, 1, chunk.count, file)
            if count <= 0 { break }
            bytes += chunk[0..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
