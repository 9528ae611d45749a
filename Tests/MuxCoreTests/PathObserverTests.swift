import MuxCore
import MuxICE
import MuxTestSupport
import Testing

/// Records what the router pushed about one session's path.
final class RecordingPathObserver: PathObserver, @unchecked Sendable {
    private(set) var moves: [(tuple: FiveTuple?, generation: UInt64)] = []
    private(set) var closed = false

    func selectedPathChanged(to tuple: FiveTuple?, generation: UInt64) {
        self.moves.append((tuple, generation))
    }

    func sessionClosed() { self.closed = true }
}

/// The selected pair is pushed to whatever sends for the session, so nothing asks the router per packet.
@Suite struct PathObserverTests {
    @Test func hearsEveryMoveOfTheSelectionWithAGrowingGeneration() {
        let fixture = RouterFixture()
        let observer = RecordingPathObserver()
        let (_, credentials, _) = fixture.addSession(pathObserver: observer)
        let first = fixture.tuple("192.0.2.1:4000")
        let second = fixture.tuple("192.0.2.1:4001")
        fixture.check(credentials, from: first, nominate: false)
        #expect(observer.moves.isEmpty, "a check that does not nominate selects nothing")
        fixture.check(credentials, from: first)
        #expect(observer.moves.count == 1)
        fixture.check(credentials, from: first, nominate: false)
        fixture.check(credentials, from: second, nominate: false)
        #expect(observer.moves.count == 1, "consent checks and a backup tuple move nothing")
        fixture.check(credentials, from: second)
        #expect(observer.moves.map(\.tuple) == [first, second])
        #expect(observer.moves.map(\.generation) == [1, 2])
    }

    @Test func hearsThatItLostItsTupleToAnotherSession() {
        let fixture = RouterFixture()
        let departed = RecordingPathObserver()
        let arriving = RecordingPathObserver()
        let (_, departedCredentials, _) = fixture.addSession(pathObserver: departed)
        let (_, arrivingCredentials, _) = fixture.addSession(pathObserver: arriving)
        let port = fixture.tuple("192.0.2.1:4000")
        fixture.check(departedCredentials, from: port)
        fixture.now += fixture.timeouts.consent
        fixture.check(arrivingCredentials, from: port)
        #expect(departed.moves.map(\.tuple) == [port, nil])
        #expect(departed.moves.map(\.generation) == [1, 2])
        #expect(arriving.moves.map(\.tuple) == [port])
    }

    @Test(arguments: ["deleted", "timer", "shutdown"])
    func hearsOfTheCloseHoweverItCloses(way: String) {
        let fixture = RouterFixture(
            timeouts: ICETimeouts(connect: .seconds(5), consent: .seconds(30), maxDuration: .seconds(3600))
        )
        let observer = RecordingPathObserver()
        let (id, _, _) = fixture.addSession(pathObserver: observer)
        switch way {
        case "deleted":
            #expect(fixture.router.close(id, reason: .deleted, now: fixture.now) != nil)
        case "timer":
            fixture.now += .seconds(5)
            #expect(fixture.router.runTimers(now: fixture.now).closed.map(\.id) == [id])
        default:
            #expect(fixture.router.closeAll(reason: .shutdown, now: fixture.now).map(\.id) == [id])
        }
        #expect(observer.closed)
    }
}
