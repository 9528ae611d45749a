import MuxWire
import Testing

@Suite struct AddressTests {
    @Test func parsesAndPrintsIPv4AndIPv6() {
        #expect(TransportAddress("127.0.0.1:7882")?.description == "127.0.0.1:7882")
        #expect(TransportAddress("[::1]:7882")?.description == "[::1]:7882")
        #expect(TransportAddress("[2001:db8::1]:1")?.ip == IPAddress("2001:db8::1"))
        #expect(TransportAddress("::1:7882") == nil)
        #expect(TransportAddress("127.0.0.1") == nil)
        #expect(TransportAddress("127.0.0.1:70000") == nil)
        #expect(IPAddress("300.1.1.1") == nil)
    }

    @Test func matchesNetworks() {
        let network = IPNetwork("10.0.0.0/8")!
        #expect(network.contains(IPAddress("10.200.1.1")!))
        #expect(!network.contains(IPAddress("11.0.0.1")!))
        #expect(!network.contains(IPAddress("::1")!))
        #expect(IPNetwork("0.0.0.0/0")!.contains(IPAddress("8.8.8.8")!))
        #expect(IPNetwork("2001:db8::/32")!.contains(IPAddress("2001:db8:ffff::1")!))
        #expect(!IPNetwork("2001:db8::/32")!.contains(IPAddress("2001:db9::1")!))
        #expect(IPNetwork("::1")!.contains(IPAddress("::1")!))
        #expect(IPNetwork("10.0.0.0/33") == nil)
        #expect(IPNetwork("banana/8") == nil)
    }

    @Test func knowsLoopback() {
        #expect(IPAddress("127.0.0.2")!.isLoopback)
        #expect(IPAddress("::1")!.isLoopback)
        #expect(!IPAddress("192.168.1.1")!.isLoopback)
        #expect(IPAddress("0.0.0.0")!.isUnspecified)
    }
}
