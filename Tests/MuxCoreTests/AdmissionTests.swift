import MuxCore
import Testing

@Suite struct AdmissionTests {
    @Test func refusesWhenARoomIsFull() async {
        let admission = LocalAdmission(limits: .init(maxSessionsPerRoom: 2, maxSessionsPerUser: 5, maxSessionsTotal: 10))
        let ticket = AdmissionTicket(room: "r", user: nil)
        #expect(await admission.reserve(ticket) == nil)
        #expect(await admission.reserve(ticket) == nil)
        #expect(await admission.reserve(ticket) == .roomFull)
        #expect(await admission.reserve(AdmissionTicket(room: "other", user: nil)) == nil)
        await admission.release(ticket)
        #expect(await admission.reserve(ticket) == nil)
    }

    @Test func refusesAUserOverTheirLimitInAnyRoom() async {
        let admission = LocalAdmission(limits: .init(maxSessionsPerRoom: 10, maxSessionsPerUser: 2, maxSessionsTotal: 10))
        #expect(await admission.reserve(AdmissionTicket(room: "a", user: "u")) == nil)
        #expect(await admission.reserve(AdmissionTicket(room: "b", user: "u")) == nil)
        #expect(await admission.reserve(AdmissionTicket(room: "c", user: "u")) == .userLimit)
        #expect(await admission.reserve(AdmissionTicket(room: "c", user: "v")) == nil)
    }

    @Test func refusesBeyondTheTotalAndNeverOvershootsUnderConcurrency() async {
        let admission = LocalAdmission(limits: .init(maxSessionsPerRoom: 1000, maxSessionsPerUser: 1000, maxSessionsTotal: 100))
        let admitted = await withTaskGroup(of: Bool.self) { group in
            for index in 0..<400 {
                group.addTask { await admission.reserve(AdmissionTicket(room: "r\(index % 7)", user: nil)) == nil }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(admitted == 100)
        #expect(admission.total == 100)
        #expect(await admission.reserve(AdmissionTicket(room: "x", user: nil)) == .capacity)
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
