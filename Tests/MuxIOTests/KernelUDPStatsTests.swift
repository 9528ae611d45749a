@testable import MuxIO
import MuxWire
import Testing

@Suite struct KernelUDPStatsTests {
    @Test func readsLocalAddressesInKernelByteOrderAndTheDropsColumn() {
        let udp = """
              sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
              12: 0100007F:1ECA 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 5551 2 0000000000000000 17
              13: 0200007F:1ECA 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 5552 2 0000000000000000 0
            """
        let drops = Dictionary(uniqueKeysWithValues: KernelUDPStats.parse(udp))
        #expect(drops[TransportAddress("127.0.0.1:7882")!] == 17)
        #expect(drops[TransportAddress("127.0.0.2:7882")!] == 0)
    }

    @Test func readsIPv6Addresses() {
        let udp6 = """
              sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
               5: 00000000000000000000000001000000:1ECA 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 6661 2 0000000000000000 3
            """
        #expect(KernelUDPStats.parse(udp6).first?.0 == TransportAddress("[::1]:7882"))
        #expect(KernelUDPStats.parse(udp6).first?.1 == 3)
    }

    @Test func seesTheMuxsOwnSockets() async throws {
        let fixture = try await MuxFixture()
        let local = fixture.mux.singlePortAddresses[0]
        #expect(KernelUDPStats.read()[local] == 0)
        await fixture.stop()
    }
}
