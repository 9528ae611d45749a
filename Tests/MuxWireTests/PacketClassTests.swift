import MuxWire
import Testing

@Suite struct PacketClassTests {
    @Test func classifiesEveryFirstByteAsRFC7983Says() {
        for first in UInt8.min...UInt8.max {
            let expected: PacketClass =
                switch first {
                case 0...3: .stun
                case 20...63: .dtls
                case 128...191: .rtp
                default: .unknown
                }
            #expect(PacketClass(first: first, second: 96) == expected, "first byte \(first)")
        }
    }

    @Test func readsRTCPFromThePayloadTypeByte() {
        for second in UInt8.min...UInt8.max {
            let expected: PacketClass = (192...223).contains(second) ? .rtcp : .rtp
            #expect(PacketClass(first: 0x80, second: second) == expected, "second byte \(second)")
        }
    }

    @Test func callsEmptyAndOneByteMediaUnknown() {
        #expect([UInt8]().withUnsafeBytes { PacketClass(datagram: $0) } == .unknown)
        #expect([UInt8(0x80)].withUnsafeBytes { PacketClass(datagram: $0) } == .unknown)
        #expect([UInt8(0x00)].withUnsafeBytes { PacketClass(datagram: $0) } == .stun)
        #expect([UInt8(0x80), 200].withUnsafeBytes { PacketClass(datagram: $0) } == .rtcp)
    }
}
