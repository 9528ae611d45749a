import MetricsTestKit
import MuxCore
import MuxICE
import MuxTestSupport
import MuxWire
import NIOCore

/// A router with short timeouts, a fake clock, and handlers that record what reaches them.
final class RouterFixture: @unchecked Sendable {
    let metrics = TestMetrics()
    let router: SessionRouter
    var now = ContinuousClock.now
    let socket = SocketID(1)
    let timeouts: ICETimeouts

    init(
        rateLimit: FailureRateLimiter.Settings = .init(), budgets: CheckBudgets = CheckBudgets(),
        timeouts: ICETimeouts = ICETimeouts(connect: .seconds(30), consent: .seconds(30), maxDuration: .seconds(3600))
    ) {
        self.timeouts = timeouts
        self.router = SessionRouter(
            timeouts: self.timeouts, rateLimit: rateLimit, budgets: budgets, metrics: CoreMetrics(factory: self.metrics)
        )
    }

    func counter(_ label: String, _ dimensions: [(String, String)] = []) -> Int64 {
        (try? self.metrics.expectCounter(label, dimensions).totalValue) ?? 0
    }

    /// `mediamux_ice_selected_pair_changes_total` for one kind of change.
    func pathChanges(_ kind: PathChange.Kind) -> Int64 {
        self.counter("mediamux_ice_selected_pair_changes_total", [("change", kind.rawValue)])
    }

    /// A check with a wrong password for `credentials`' session.
    func guess(_ credentials: ICECredentials) -> [UInt8] {
        CheckRequest.make(localUfrag: credentials.ufrag, password: "guessing-guessing-guessing")
    }

    /// A check naming a ufrag no session has.
    static let unknownUfrag = CheckRequest.make(localUfrag: "nobody", password: "guessing-guessing-guessing")

    func tuple(_ remote: String, socket: Int = 1) -> FiveTuple {
        FiveTuple(socket: SocketID(socket), remote: TransportAddress(remote)!)
    }

    @discardableResult
    func addSession(
        room: String = "room", user: String? = nil, id: SessionID = .random(), ownedSockets: [SocketID] = [],
        pathObserver: (any PathObserver)? = nil
    ) -> (SessionID, ICECredentials, RecordingHandler) {
        let credentials = ICECredentials.random()
        let handler = RecordingHandler()
        let new = NewSession(
            ticket: AdmissionTicket(session: id, node: "test", room: room, user: user), handlerName: "test",
            credentials: credentials,
            handler: handler, counters: SessionCounters(), ownedSockets: ownedSockets, pathObserver: pathObserver
        )
        precondition(self.router.insert(new, now: self.now) == .inserted)
        return (id, credentials, handler)
    }

    func route(_ bytes: [UInt8], on tuple: FiveTuple) -> RouteDecision {
        bytes.withUnsafeBytes { self.router.route($0, class: PacketClass(datagram: $0), on: tuple, now: self.now) }
    }

    /// Sends an authenticated check and returns the STUN response, failing loudly if there is none.
    @discardableResult
    func check(_ credentials: ICECredentials, from tuple: FiveTuple, nominate: Bool = true) -> STUNMessage? {
        guard
            case .reply(let bytes, nil) = self.route(
                CheckRequest.make(for: credentials, useCandidate: nominate), on: tuple)
        else {
            return nil
        }
        return try? STUNMessage(parsing: bytes)
    }
}

/// Records datagrams and the close reason.
final class RecordingHandler: SessionHandler, @unchecked Sendable {
    private(set) var datagrams: [(PacketClass, FiveTuple)] = []
    private(set) var closeReason: CloseReason?
    private(set) var ticks = 0

    func handleTick(now: ContinuousClock.Instant) {
        self.ticks += 1
    }

    func handleDatagram(
        _ datagram: UnsafeMutableRawBufferPointer, class packetClass: PacketClass, from tuple: FiveTuple,
        now: ContinuousClock.Instant
    ) {
        self.datagrams.append((packetClass, tuple))
    }

    func handleClose(reason: CloseReason) {
        self.closeReason = reason
    }
}

extension RouteDecision {
    var dropReason: DropReason? {
        if case .drop(let reason) = self { return reason }
        if case .reply(_, let refused) = self { return refused }
        return nil
    }

    var isDelivery: Bool {
        self.handler != nil
    }

    var handler: (any SessionHandler)? {
        if case .deliver(let handler) = self { return handler }
        return nil
    }
}
