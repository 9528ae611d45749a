import MuxICE
import MuxIO
import MuxWire
import Testing

@testable import MuxSessions

/// The candidates of a multi-homed host behind a 1:1 NAT, with no sockets: what the session manager signals
/// for the addresses the transport bound.
@Suite struct HostCandidatesTests {
    let first = IPAddress("10.0.0.5")!
    let second = IPAddress("192.168.1.5")!

    @Test func ranksSinglePortFirstAndGivesEachBaseAddressItsFoundation() {
        let candidates = self.twoAddressesAndARangePort(announced: [])
        #expect(
            candidates.map(\.sdpValue) == [
                "candidate:1 1 udp 2130706431 10.0.0.5 7882 typ host",
                "candidate:2 1 udp 2130706175 192.168.1.5 7882 typ host",
                "candidate:1 1 udp 2126512127 10.0.0.5 50001 typ host",
            ])
        #expect(candidates.map(\.priority) == candidates.map(\.priority).sorted(by: >))
    }

    @Test func listsPassiveTCPCandidatesLastWithAFoundationOfTheirOwn() {
        let tcp = [TransportAddress(ip: self.first, port: 7882), TransportAddress(ip: self.second, port: 7882)]
        let candidates = HostCandidates(bindAddresses: [self.first, self.second], announced: [])
            .list(singlePort: tcp, rangePort: [TransportAddress(ip: self.first, port: 50_001)], tcp: tcp)
        #expect(
            candidates.suffix(2).map(\.sdpValue) == [
                "candidate:4 1 tcp 2124414975 10.0.0.5 7882 typ host tcptype passive",
                "candidate:5 1 tcp 2124414719 192.168.1.5 7882 typ host tcptype passive",
            ])
        // Every UDP candidate, the range port's included, ranks above every TCP one.
        #expect(candidates.map(\.priority) == candidates.map(\.priority).sorted(by: >))
    }

    @Test func announcesTheNATsAddressAndPortForTCPToo() {
        let nat = AnnouncedAddress(local: self.first, publicIP: IPAddress("203.0.113.7")!, publicPort: 443)
        let single = [TransportAddress(ip: self.first, port: 7882)]
        let sameNumber = HostCandidates(bindAddresses: [self.first], announced: [nat])
            .list(singlePort: single, rangePort: [], tcp: single)
        #expect(
            sameNumber.map(\.address)
                == Array(repeating: TransportAddress(ip: IPAddress("203.0.113.7")!, port: 443), count: 2))
        // The mapping's port is the UDP port's: a TCP listener on another number keeps its own.
        let otherNumber = HostCandidates(bindAddresses: [self.first], announced: [nat])
            .list(singlePort: single, rangePort: [], tcp: [TransportAddress(ip: self.first, port: 8443)])
        #expect(otherNumber.last?.address == TransportAddress(ip: IPAddress("203.0.113.7")!, port: 8443))
    }

    @Test func announcesTheNATsAddressAndItsPortForTheSinglePortOnly() {
        let nat = AnnouncedAddress(local: self.first, publicIP: IPAddress("203.0.113.7")!, publicPort: 443)
        let candidates = self.twoAddressesAndARangePort(announced: [nat])
        #expect(
            candidates.map(\.address) == [
                TransportAddress(ip: IPAddress("203.0.113.7")!, port: 443),
                // The other address has no mapping: announced as bound.
                TransportAddress(ip: self.second, port: 7882),
                // A range port keeps its number: a NAT that maps the single port to 443 maps each range port 1:1.
                TransportAddress(ip: IPAddress("203.0.113.7")!, port: 50_001),
            ])
    }

    /// Both addresses on port 7882, and range port 50001 on the first.
    func twoAddressesAndARangePort(announced: [AnnouncedAddress]) -> [HostCandidate] {
        HostCandidates(bindAddresses: [self.first, self.second], announced: announced)
            .list(
                singlePort: [
                    TransportAddress(ip: self.first, port: 7882), TransportAddress(ip: self.second, port: 7882),
                ],
                rangePort: [TransportAddress(ip: self.first, port: 50_001)])
    }

    @Test func aRangeOnlyHostRanksItsRangePortFirst() {
        let candidates = HostCandidates(bindAddresses: [self.first], announced: [])
            .list(singlePort: [], rangePort: [TransportAddress(ip: self.first, port: 50_001)])
        #expect(candidates.map(\.sdpValue) == ["candidate:1 1 udp 2130706431 10.0.0.5 50001 typ host"])
    }
}
