import CoreMetrics
import MuxCore
import MuxICE
import MuxWire

/// A `SessionRouter` with `count` sessions, each connected by a real (built, signed, verified) ICE check
/// from its own address.
struct ConnectedSessions {
    let router: SessionRouter
    let tuples: [FiveTuple]
    /// One consent check per session, signed with its password; `consentChecks[i]` comes from `tuples[i]`.
    let consentChecks: [[UInt8]]
    /// The reference's table: the least any router must keep, a 5-tuple → index dictionary.
    let reference: [FiveTuple: Int]
    let now: ContinuousClock.Instant

    init(count: Int) {
        let metrics = MuxCore.CoreMetrics(factory: NOOPMetricsHandler.instance)
        let router = SessionRouter(timeouts: ICETimeouts(), rateLimit: .init(), metrics: metrics)
        let now = ContinuousClock.now
        var tuples: [FiveTuple] = []
        var consentChecks: [[UInt8]] = []
        for index in 0..<count {
            let credentials = ICECredentials.random()
            let session = NewSession(
                ticket: AdmissionTicket(session: .random(), node: "test", room: "room\(index % 50)", user: nil),
                handlerName: "discard",
                credentials: credentials, handler: DiscardHandler(), counters: SessionCounters()
            )
            precondition(router.insert(session, now: now) == .inserted)
            let tuple = FiveTuple(
                socket: SocketID(1), remote: TransportAddress(ip: .v4(0x0A00_0000 + UInt32(index)), port: 40_000)
            )
            let nomination = ControllingCheck.make(
                ufrag: credentials.ufrag, password: credentials.password, nominate: true)
            guard
                case .reply(_, refused: nil) = nomination.withUnsafeBytes({
                    router.route($0, class: .stun, on: tuple, now: now)
                })
            else {
                fatalError("session \(index) did not connect")
            }
            tuples.append(tuple)
            consentChecks.append(ControllingCheck.make(ufrag: credentials.ufrag, password: credentials.password))
        }
        self.router = router
        self.tuples = tuples
        self.consentChecks = consentChecks
        self.reference = Dictionary(uniqueKeysWithValues: tuples.enumerated().map { ($1, $0) })
        self.now = now
    }
}

/// A 1200-byte RTP packet: version 2, payload type 96, then filler.
enum RTPPacket {
    static let bytes: [UInt8] = [0x80, 96, 0, 1, 0, 0, 0, 1, 0, 0, 0, 42] + [UInt8](repeating: 0x55, count: 1188)
}
