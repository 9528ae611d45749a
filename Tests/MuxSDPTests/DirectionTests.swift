import MuxSDP
import Testing

@Suite struct DirectionTests {
    @Test func mirrorsTheOfferForAHandlerWillingToDoEverything() {
        let expected: [Direction: Direction] = [
            .sendrecv: .sendrecv, .sendonly: .recvonly, .recvonly: .sendonly, .inactive: .inactive,
        ]
        for offered in Direction.allCases {
            #expect(offered.answered(willing: .sendrecv) == expected[offered], "\(offered)")
        }
    }

    @Test func neverAnswersMoreThanTheHandlerWillDo() {
        for offered in Direction.allCases {
            for local in Direction.allCases {
                let answered = offered.answered(willing: local)
                #expect(!answered.sends || (local.sends && offered.receives), "\(offered) \(local)")
                #expect(!answered.receives || (local.receives && offered.sends), "\(offered) \(local)")
            }
        }
    }

    @Test func picksTheDTLSRoleFromTheOfferedSetup() throws {
        #expect(try DTLSRole(answering: .actpass) == .server)
        #expect(try DTLSRole(answering: .active) == .server)
        #expect(try DTLSRole(answering: nil) == .server)
        #expect(try DTLSRole(answering: .passive) == .client)
        #expect(DTLSRole.server.setup == .passive)
        #expect(DTLSRole.client.setup == .active)
        #expect(SDPText.error { _ = try DTLSRole(answering: .holdconn) } == .unsupportedSetup("holdconn"))
    }
}
