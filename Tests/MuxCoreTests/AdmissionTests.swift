import MuxCore
import Testing

@Suite struct AdmissionTests {
    /// A ticket for a new session of this node.
    static func ticket(_ room: String, _ user: String? = nil) -> AdmissionTicket {
        AdmissionTicket(session: .random(), node: "node-a", room: room, user: user)
    }

    @Test func refusesWhenARoomIsFull() async {
        let admission = LocalAdmission(
            limits: .init(maxSessionsPerRoom: 2, maxSessionsPerUser: 5, maxSessionsTotal: 10))
        let first = Self.ticket("r")
        #expect(await admission.reserve(first) == nil)
        #expect(await admission.reserve(Self.ticket("r")) == nil)
        #expect(await admission.reserve(Self.ticket("r")) == .roomFull)
        #expect(await admission.reserve(Self.ticket("other")) == nil)
        await admission.release(first)
        #expect(await admission.reserve(Self.ticket("r")) == nil)
    }

    @Test func refusesAUserOverTheirLimitInAnyRoom() async {
        let admission = LocalAdmission(
            limits: .init(maxSessionsPerRoom: 10, maxSessionsPerUser: 2, maxSessionsTotal: 10))
        #expect(await admission.reserve(Self.ticket("a", "u")) == nil)
        #expect(await admission.reserve(Self.ticket("b", "u")) == nil)
        #expect(await admission.reserve(Self.ticket("c", "u")) == .userLimit)
        #expect(await admission.reserve(Self.ticket("c", "v")) == nil)
    }

    @Test func refusesBeyondTheTotalAndNeverOvershootsUnderConcurrency() async {
        let admission = LocalAdmission(
            limits: .init(maxSessionsPerRoom: 1000, maxSessionsPerUser: 1000, maxSessionsTotal: 100))
        let admitted = await withTaskGroup(of: Bool.self) { group in
            for index in 0..<400 {
                group.addTask { await admission.reserve(Self.ticket("r\(index % 7)")) == nil }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(admitted == 100)
        #expect(admission.total == 100)
        #expect(await admission.reserve(Self.ticket("x")) == .capacity)
    }

    @Test func releaseIsIdempotentAndAReserveRetryTakesNoSecondSlot() async {
        let admission = LocalAdmission(
            limits: .init(maxSessionsPerRoom: 2, maxSessionsPerUser: 1, maxSessionsTotal: 10))
        let ticket = Self.ticket("r", "u")
        #expect(await admission.reserve(ticket) == nil)
        #expect(await admission.reserve(ticket) == nil, "a retry for the session it holds")
        #expect(admission.total == 1)
        await admission.release(ticket)
        await admission.release(ticket)
        await admission.release(Self.ticket("r", "u"))
        #expect(admission.total == 0)
        // The counts did not go below zero: the room and the user take exactly their caps again.
        #expect(await admission.reserve(Self.ticket("r", "u")) == nil)
        #expect(await admission.reserve(Self.ticket("r", "u")) == .userLimit)
        #expect(await admission.reserve(Self.ticket("r")) == nil)
        #expect(await admission.reserve(Self.ticket("r")) == .roomFull)
    }

    @Test func portPoolHandsOutEveryPortOnceAndTakesThemBack() {
        var pool = PortPool(range: 50_000...50_003)
        let ports = (0..<4).compactMap { _ in pool.allocate() }
        #expect(Set(ports) == Set(50_000...50_003))
        #expect(pool.allocate() == nil)
        #expect(pool.inUse == 4)
        pool.release(50_001)
        #expect(pool.allocate() == 50_001)
        for port in 50_000...50_003 { pool.release(port) }
        #expect(pool.available == 4)
    }

    @Test func portPoolReusesAFreedPortLast() {
        var pool = PortPool(range: 50_000...50_009)
        let first = pool.allocate()!
        pool.release(first)
        let next = (0..<9).compactMap { _ in pool.allocate() }
        #expect(!next.contains(first))
    }

    @Test func tokenBucketRefillsAtItsRate() {
        let start = ContinuousClock.now
        var bucket = TokenBucket(rate: 10, burst: 2, now: start)
        let taken = [0, 0, 0, 100, 150].map { bucket.take(now: start + .milliseconds($0)) }
        #expect(taken == [true, true, false, true, false])
    }
}
