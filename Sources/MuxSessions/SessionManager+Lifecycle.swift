import MuxCore
import MuxICE
import MuxIO
import MuxWire

extension SessionManager {
    /// Admits, binds (range mode) and registers a new session, then returns the candidates to signal.
    public func createSession(_ request: SessionRequest) async throws(SessionCreationError) -> CreatedSession {
        let handlerName = request.handler ?? self.settings.defaultHandler
        guard let makeHandler = self.handlers[handlerName] else { throw .unknownHandler(handlerName) }
        guard !self.stopping.load(ordering: .relaxed) else { throw self.refuse(.shuttingDown) }

        // The id comes first, so that the ticket names the session it is for.
        var id = SessionID.random()
        while self.router.snapshot(id, now: .now) != nil { id = SessionID.random() }
        let ticket = AdmissionTicket(session: id, node: self.settings.nodeID, room: request.room, user: request.user)
        if let refusal = await self.admission.reserve(ticket) { throw self.refuse(refusal) }

        var rangePort: UDPTransport.RangePort?
        if self.transport.hasPortRange {
            guard let port = await self.transport.openRangePort() else {
                await self.admission.release(ticket)
                throw self.refuse(.portsExhausted)
            }
            rangePort = port
        }

        var plainPort: (any PlainPort)?
        if let sink = request.rtpSink {
            do {
                plainPort = try self.transport.openPlainPort(sink: sink)
            } catch {
                await self.giveBack(ticket: ticket, rangePort: rangePort)
                throw self.refuse(.portsExhausted)
            }
        }

        let now = ContinuousClock.now
        let counters = SessionCounters()
        // A new ufrag each time: two live sessions may not share one (48 random bits, so this loops only
        // when something is badly wrong).
        for _ in 0..<8 {
            let sender = self.transport.makeSender(for: id, counters: counters, handlerName: handlerName) {
                [weak self] id, reason in
                self?.closeFromHandler(id, reason: reason)
            }
            // A quarter of the consent timeout, so that a confirmation a little late still lands in time.
            let context = SessionContext(
                id: id, room: request.room, user: request.user, sender: sender, dtls: request.dtls,
                plainPort: plainPort,
                consentConfirmationInterval: min(.seconds(1), self.settings.timeouts.consent / 4)
            )
            let new = NewSession(
                ticket: ticket, handlerName: handlerName, credentials: .random(), handler: makeHandler(context),
                counters: counters, ownedSockets: rangePort?.endpoints ?? [], rangePort: rangePort?.port,
                pathObserver: sender
            )
            switch self.router.insert(new, now: now) {
            case .inserted:
                guard let snapshot = self.router.snapshot(id, now: now) else { continue }
                self.logger.debug("session created", metadata: ["session": "\(id)", "room": "\(request.room)"])
                return CreatedSession(
                    snapshot: snapshot,
                    candidates: self.candidates.list(
                        singlePort: self.transport.singlePortAddresses, rangePort: rangePort?.locals ?? [],
                        tcp: self.transport.tcpListenAddresses),
                    plainPort: plainPort?.local
                )
            case .duplicate:
                continue
            case .shuttingDown:
                plainPort?.close()
                await self.giveBack(ticket: ticket, rangePort: rangePort)
                throw self.refuse(.shuttingDown)
            }
        }
        // Eight random 48-bit ufrags in a row already taken: something is badly wrong.
        preconditionFailure("could not find a free ufrag")
    }

    /// Closes a live session; false when there is none with this id.
    public func deleteSession(_ id: SessionID) async -> Bool {
        await self.closeSession(id, reason: .deleted)
    }

    /// Closes every live session (a drained node at its deadline) and says how many; new ones are still admitted.
    public func closeEverySession(reason: CloseReason) async -> Int {
        var closed = 0
        for room in self.rooms().keys {
            for snapshot in self.snapshots(inRoom: room) where await self.closeSession(snapshot.id, reason: reason) {
                closed += 1
            }
        }
        return closed
    }

    @discardableResult
    public func closeSession(_ id: SessionID, reason: CloseReason) async -> Bool {
        guard let closed = self.router.close(id, reason: reason, now: .now) else { return false }
        await self.release([closed])
        return true
    }

    /// A handler ended its session (DTLS failed, the peer's close_notify), on whatever thread it runs: the
    /// session leaves the router at once, so nothing more reaches it, and is released with the timers' closes.
    func closeFromHandler(_ id: SessionID, reason: CloseReason) {
        guard let closed = self.router.close(id, reason: reason, now: .now) else { return }
        self.awaitingRelease.append([closed])
    }

    /// Gives back everything closed sessions held: range sockets and ports, admission slots; then tells
    /// their handlers.
    func release(_ closed: [ClosedSession]) async {
        for session in closed {
            // The handler first, while a range session's socket is still open for its farewell (close_notify).
            session.handler.handleClose(reason: session.reason)
            await self.transport.closeRangePort(session.rangePort, endpoints: session.ownedSockets)
            await self.admission.release(session.ticket)
            self.logger.debug(
                "session closed", metadata: ["session": "\(session.id)", "reason": "\(session.reason.rawValue)"])
        }
    }

    /// What a session that was never created took: its range port and sockets, and its admission slot.
    private func giveBack(ticket: AdmissionTicket, rangePort: UDPTransport.RangePort?) async {
        await self.transport.closeRangePort(rangePort?.port, endpoints: rangePort?.endpoints ?? [])
        await self.admission.release(ticket)
    }

    private func refuse(_ refusal: AdmissionRefusal) -> SessionCreationError {
        self.coreMetrics.recordRefused(refusal)
        return .refused(refusal)
    }
}
