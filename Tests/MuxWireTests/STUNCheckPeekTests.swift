import MuxWire
import Testing

/// The ufrag is read in place only from what the full parse would also accept as a check.
@Suite struct STUNCheckPeekTests {
    private func peek(_ bytes: [UInt8]) -> String? {
        bytes.withUnsafeBytes { STUNCheckPeek.localUfrag(of: $0) }
    }

    @Test func readsTheUfragOfTheSampleRequest() {
        #expect(self.peek(RFC5769.request) == "evtj")
    }

    @Test func readsNothingFromAnythingTheParserWouldRefuseAsACheck() {
        #expect(self.peek(Array(RFC5769.request.dropLast(8))) == nil, "no FINGERPRINT")
        #expect(self.peek(RFC5769.ipv4Response) == nil, "not a request")
        #expect(self.peek(Array(RFC5769.request.prefix(20))) == nil)
        var longer = RFC5769.request
        longer[3] &+= 4
        #expect(self.peek(longer) == nil, "length field past the end")
    }

    @Test func leavesTheFingerprintsCRCToTheParse() throws {
        var corrupted = RFC5769.request
        corrupted[30] ^= 1
        #expect(self.peek(corrupted) == "evtj")
        #expect(try !STUNMessage(parsing: corrupted).hasValidFingerprint)
    }

    @Test(arguments: [("abcd:efgh", "abcd"), ("nocolon", nil), (":efgh", nil), (nil, nil)] as [(String?, String?)])
    func needsAUsernameThatNamesAUfrag(username: String?, ufrag: String?) {
        var builder = STUNMessageBuilder(type: .bindingRequest, transactionID: .random())
        if let username { builder.appendUsername(username) }
        builder.appendPriority(1)
        #expect(self.peek(builder.finish(integrity: STUNIntegrityKey(password: "p"), fingerprint: true)) == ufrag)
    }
}
