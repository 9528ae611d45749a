import MuxICE
import MuxTestSupport
import MuxWire
import Testing

@Suite struct ConnectivityCheckTests {
    let credentials = ICECredentials(ufrag: "mux1", password: "abcdefghijklmnopqrstuvwx")
    let source = TransportAddress("192.0.2.7:5000")!
    var key: STUNIntegrityKey { STUNIntegrityKey(password: self.credentials.password) }

    func parse(_ bytes: [UInt8]) throws -> STUNMessage { try STUNMessage(parsing: bytes) }

    @Test func acceptsACheckWithTheRightPasswordAndMapsTheSource() throws {
        let request = try self.parse(CheckRequest.make(for: self.credentials, useCandidate: true))
        guard case .success(let ufrag) = ConnectivityCheck.precheck(request) else {
            Issue.record("precheck failed")
            return
        }
        #expect(ufrag == "mux1")
        guard
            case .accepted(let bytes, let nominated) = ConnectivityCheck.respond(
                to: request, from: self.source, key: self.key)
        else {
            Issue.record("not accepted")
            return
        }
        #expect(nominated)
        let response = try self.parse(bytes)
        #expect(response.type == .bindingSuccess)
        #expect(response.transactionID == request.transactionID)
        #expect(response.xorMappedAddress == self.source)
        #expect(response.verifyIntegrity(with: self.key))
        #expect(response.hasValidFingerprint)
    }

    @Test func answersAWrongPasswordWith401NoLargerThanTheRequest() throws {
        let requestBytes = CheckRequest.make(localUfrag: "mux1", password: "wrongwrongwrongwrongwrong")
        let request = try self.parse(requestBytes)
        guard
            case .refused(.badIntegrity, let response?) = ConnectivityCheck.respond(
                to: request, from: self.source, key: self.key)
        else {
            Issue.record("expected a 401")
            return
        }
        #expect(try self.parse(response).errorCode?.code == 401)
        #expect(response.count <= requestBytes.count)
    }

    @Test func answersAPeerThatAlsoClaimsControlledWith487() throws {
        let request = try self.parse(
            CheckRequest.make(localUfrag: "mux1", password: self.credentials.password, claimControlled: true))
        guard
            case .refused(.roleConflict, let response?) = ConnectivityCheck.respond(
                to: request, from: self.source, key: self.key)
        else {
            Issue.record("expected a 487")
            return
        }
        let message = try self.parse(response)
        #expect(message.errorCode?.code == 487)
        #expect(message.verifyIntegrity(with: self.key))
    }

    @Test func dropsChecksWithoutFingerprintSilently() throws {
        let request = try self.parse(
            CheckRequest.make(localUfrag: "mux1", password: self.credentials.password, fingerprint: false))
        guard case .failure(let refused) = ConnectivityCheck.precheck(request) else {
            Issue.record("accepted")
            return
        }
        #expect(refused.refusal == .badFingerprint)
        #expect(refused.response == nil)
    }

    @Test func refusesChecksWithoutIntegrity() throws {
        let request = try self.parse(
            CheckRequest.make(localUfrag: "mux1", password: self.credentials.password, integrity: false))
        guard
            case .refused(.missingAttribute, _) = ConnectivityCheck.respond(
                to: request, from: self.source, key: self.key)
        else {
            Issue.record("expected missing attribute")
            return
        }
    }

    @Test func refusesAnAuthenticatedCheckWithoutPriority() throws {
        let request = try self.parse(
            CheckRequest.make(localUfrag: "mux1", password: self.credentials.password, priority: false))
        guard
            case .refused(.missingAttribute, let response?) = ConnectivityCheck.respond(
                to: request, from: self.source, key: self.key)
        else {
            Issue.record("expected a 400")
            return
        }
        #expect(try self.parse(response).errorCode?.code == 400)
    }

    @Test func neverAnswersABareRequestWithMoreBytesThanItHad() throws {
        var builder = STUNMessageBuilder(type: .bindingRequest, transactionID: .random())
        let bytes = builder.finish(integrity: nil, fingerprint: true)
        let request = try self.parse(bytes)
        guard case .failure(let refused) = ConnectivityCheck.precheck(request) else {
            Issue.record("accepted")
            return
        }
        #expect(refused.refusal == .missingAttribute)
        #expect((refused.response?.count ?? 0) <= bytes.count)
    }

    @Test func generatesValidDistinctCredentials() {
        let first = ICECredentials.random()
        let second = ICECredentials.random()
        #expect(ICECredentials.isValid(ufrag: first.ufrag))
        #expect(ICECredentials.isValid(password: first.password))
        #expect(first != second)
        #expect(!ICECredentials.isValid(ufrag: "ab"))
        #expect(!ICECredentials.isValid(password: "short"))
    }

    @Test func writesHostCandidatesInSDPSyntax() {
        let candidate = HostCandidate(
            foundation: "1", address: TransportAddress("192.0.2.10:7882")!, localPreference: 65535)
        #expect(candidate.sdpValue == "candidate:1 1 udp 2130706431 192.0.2.10 7882 typ host")
    }
}
