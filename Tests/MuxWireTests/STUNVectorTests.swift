import MuxWire
import Testing

@Suite struct STUNVectorTests {
    let key = STUNIntegrityKey(password: RFC5769.password)

    @Test func parsesTheSampleRequest() throws {
        let message = try STUNMessage(parsing: RFC5769.request)
        #expect(message.type == .bindingRequest)
        #expect(message.transactionID == STUNTransactionID(0xB7E7_A701, 0xBC34_D686, 0xFA87_DFAE))
        #expect(message.software == "STUN test client")
        #expect(message.username == "evtj:h6vY")
        #expect(message.priority == 0x6E00_01FF)
        #expect(message.iceControlled == 0x932F_F9B1_5126_3B36)
        #expect(message.iceControlling == nil)
        #expect(!message.useCandidate)
        #expect(message.hasValidFingerprint)
        #expect(message.verifyIntegrity(with: self.key))
        #expect(!message.verifyIntegrity(with: STUNIntegrityKey(password: "wrong")))
    }

    @Test func parsesTheIPv4Response() throws {
        let message = try STUNMessage(parsing: RFC5769.ipv4Response)
        #expect(message.type == .bindingSuccess)
        #expect(message.software == "test vector")
        #expect(message.xorMappedAddress == TransportAddress("192.0.2.1:32853"))
        #expect(message.hasValidFingerprint)
        #expect(message.verifyIntegrity(with: self.key))
    }

    @Test func parsesTheIPv6Response() throws {
        let message = try STUNMessage(parsing: RFC5769.ipv6Response)
        #expect(message.xorMappedAddress == TransportAddress("[2001:db8:1234:5678:11:2233:4455:6677]:32853"))
        #expect(message.hasValidFingerprint)
        #expect(message.verifyIntegrity(with: self.key))
    }

    /// The vectors pad with spaces and a builder pads with zeros, so whole messages differ; the
    /// XOR-MAPPED-ADDRESS attribute has no padding and must come out byte for byte.
    @Test(arguments: [RFC5769.ipv4Response, RFC5769.ipv6Response])
    func builderWritesTheVectorsXORMappedAddress(vector: [UInt8]) throws {
        let original = try STUNMessage(parsing: vector)
        var builder = STUNMessageBuilder(type: .bindingSuccess, transactionID: original.transactionID)
        builder.appendXORMappedAddress(try #require(original.xorMappedAddress))
        let rebuilt = try STUNMessage(parsing: builder.finish(integrity: self.key, fingerprint: true))
        #expect(rebuilt.value(of: .xorMappedAddress) == original.value(of: .xorMappedAddress))
        #expect(rebuilt.verifyIntegrity(with: self.key))
        #expect(rebuilt.hasValidFingerprint)
    }

    @Test func builtMessagesRoundTrip() throws {
        let id = STUNTransactionID.random()
        var builder = STUNMessageBuilder(type: .bindingRequest, transactionID: id)
        builder.appendUsername("abcd:efgh")
        builder.appendPriority(1_853_824_767)
        builder.appendICEControlling(tieBreaker: 42)
        builder.appendUseCandidate()
        let bytes = builder.finish(integrity: self.key, fingerprint: true)

        let message = try STUNMessage(parsing: bytes)
        #expect(message.type == .bindingRequest)
        #expect(message.transactionID == id)
        #expect(message.username == "abcd:efgh")
        #expect(message.priority == 1_853_824_767)
        #expect(message.iceControlling == 42)
        #expect(message.useCandidate)
        #expect(message.hasValidFingerprint)
        #expect(message.verifyIntegrity(with: self.key))
    }

    @Test func errorResponsesCarryCodeAndReason() throws {
        var builder = STUNMessageBuilder(type: .bindingError, transactionID: .random())
        builder.appendErrorCode(487, reason: "Role Conflict")
        let message = try STUNMessage(parsing: builder.finish(integrity: nil, fingerprint: true))
        #expect(message.type == .bindingError)
        #expect(message.errorCode?.code == 487)
        #expect(message.errorCode?.reason == "Role Conflict")
    }

    @Test func messageTypeEncodingRoundTrips() {
        for raw in UInt16(0)...0x3FFF {
            #expect(STUNMessageType(rawValue: raw).rawValue == raw)
        }
        #expect(STUNMessageType.bindingRequest.rawValue == 0x0001)
        #expect(STUNMessageType.bindingSuccess.rawValue == 0x0101)
        #expect(STUNMessageType.bindingError.rawValue == 0x0111)
        #expect(STUNMessageType.bindingIndication.rawValue == 0x0011)
    }
}
