import MuxICE
import MuxIO
import MuxWire

/// The host candidates a session signals, from the addresses the transport bound: single-port candidates
/// first, a range port's below them, the ICE-TCP listeners last, each address replaced by its public one
/// behind a 1:1 NAT.
struct HostCandidates {
    let bindAddresses: [IPAddress]
    let announced: [AnnouncedAddress]

    func list(
        singlePort: [TransportAddress], rangePort: [TransportAddress], tcp: [TransportAddress] = []
    ) -> [HostCandidate] {
        var candidates: [HostCandidate] = []
        for (index, local) in singlePort.enumerated() {
            candidates.append(
                HostCandidate(
                    foundation: self.foundation(of: local.ip), address: self.announced(local, isRangePort: false),
                    localPreference: UInt32(65_535 - index)
                ))
        }
        // Above the TCP candidates' 32,768...40,959 either way.
        let rangePreference = singlePort.isEmpty ? 65_535 : 49_151
        for (index, local) in rangePort.enumerated() {
            candidates.append(
                HostCandidate(
                    foundation: self.foundation(of: local.ip), address: self.announced(local, isRangePort: true),
                    localPreference: UInt32(rangePreference - index)
                ))
        }
        for (index, local) in tcp.enumerated() {
            // A mapping's public port is the single UDP port's; TCP takes it only on the same number.
            let sharesThePort = singlePort.contains { $0.port == local.port }
            candidates.append(
                HostCandidate(
                    foundation: self.foundation(of: local.ip, transport: .tcp),
                    address: self.announced(local, isRangePort: !sharesThePort),
                    localPreference: HostCandidate.tcpLocalPreference(order: index), transport: .tcp
                ))
        }
        return candidates
    }

    /// Candidates of the same base address and transport share a foundation (RFC 8445, section 5.1.1.3):
    /// UDP's are numbered from 1 by bind address, TCP's after them.
    private func foundation(of ip: IPAddress, transport: HostCandidate.Transport = .udp) -> String {
        let index = (self.bindAddresses.firstIndex(of: ip) ?? self.bindAddresses.count) + 1
        return String(transport == .udp ? index : index + self.bindAddresses.count + 1)
    }

    /// Range ports are announced as bound; a single port (UDP or TCP) may be mapped to another public port.
    private func announced(_ local: TransportAddress, isRangePort: Bool) -> TransportAddress {
        guard let mapping = self.announced.first(where: { $0.local == local.ip }) else { return local }
        let port = isRangePort ? local.port : (mapping.publicPort ?? local.port)
        return TransportAddress(ip: mapping.publicIP, port: port)
    }
}
