import MuxCore
import MuxICE
import MuxWire

extension UDPMux {
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

        var rangePort: Int?
        var rangeSockets: [Endpoint] = []
        if self.rangeCounters != nil {
            guard let (port, sockets) = await self.bindRangePort() else {
                await self.admission.release(ticket)
                throw self.refuse(.portsExhausted)
            }
            rangePort = port
            rangeSockets = sockets
        }

        var plainPort: PlainUDPPort?
        if let sink = request.rtpSink {
            do {
                plainPort = try self.openPlainPort(sink: sink)
            } catch {
                await self.giveBack(ticket: ticket, rangePort: rangePort, sockets: rangeSockets)
                throw self.refuse(.portsExhausted)
            }
        }

        let now = ContinuousClock.now
        let counters = SessionCounters()
        // A new ufrag each time: two live sessions may not share one (48 random bits, so this loops only
        // when something is badly wrong).
        for _ in 0..<8 {
            let sender = SessionSender(
                id: id, router: self.router, registry: self.registry, counters: counters,
                residence: self.residence.timer(forHandler: handlerName)
            ) { [weak self] id, reason in
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
                counters: counters, ownedSockets: rangeSockets.map(\.id), rangePort: rangePort, pathObserver: sender
            )
            switch self.router.insert(new, now: now) {
            case .inserted:
                guard let snapshot = self.router.snapshot(id, now: now) else { continue }
                self.logger.debug("session created", metadata: ["session": "\(id)", "room": "\(request.room)"])
                return CreatedSession(
                    snapshot: snapshot, candidates: self.candidates(rangeSockets: rangeSockets),
                    plainPort: plainPort?.local
                )
            case .duplicate:
                continue
            case .shuttingDown:
                plainPort?.close()
                await self.giveBack(ticket: ticket, rangePort: rangePort, sockets: rangeSockets)
                throw self.refuse(.shuttingDown)
            }
        }
        // Eight random 48-bit ufrags in a row already taken: something is badly wrong.
        preconditionFailure("could not find a free ufrag")
    }

    public func hasHandler(named name: String) -> Bool {
        self.handlers[name] != nil
    }

    /// Closes a live session; false when there is none with this id.
    public func deleteSession(_ id: SessionID) async -> Bool {
        await self.closeSession(id, reason: .deleted)
    }

    /// The media routes the packet threads still cache once they forgot those of closed sessions and moved
    /// tuples: what the live sessions' tuples need, and 0 when none is left.
    public func cachedMediaRoutes() async -> Int {
        await self.cachedMediaRoutesByThread().reduce(0, +)
    }

    /// The same, per packet thread: a session's tuple is cached by the thread its datagrams hash to.
    public func cachedMediaRoutesByThread() async -> [Int] {
        var counts: [Int] = []
        for thread in self.ioThreads { counts.append(await thread.prunedRouteCount()) }
        return counts
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
            await self.releaseRange(port: session.rangePort, sockets: session.ownedSockets)
            await self.admission.release(session.ticket)
            self.logger.debug(
                "session closed", metadata: ["session": "\(session.id)", "reason": "\(session.reason.rawValue)"])
        }
        if !closed.isEmpty { self.recordRangePorts() }
    }

    /// What a session that was never created took: its range port and sockets, and its admission slot.
    private func giveBack(ticket: AdmissionTicket, rangePort: Int?, sockets: [Endpoint]) async {
        await self.releaseRange(port: rangePort, sockets: sockets.map(\.id))
        await self.admission.release(ticket)
        self.recordRangePorts()
    }

    /// Closes range sockets and returns their port to the pool: the one place range resources are freed.
    private func releaseRange(port: Int?, sockets: [SocketID]) async {
        for id in sockets {
            if let endpoint = self.registry.remove(id) { await self.closeSockets(of: endpoint) }
        }
        if let port { self.portPool.withLock { $0?.release(port) } }
    }

    private func refuse(_ refusal: AdmissionRefusal) -> SessionCreationError {
        self.coreMetrics.recordRefused(refusal)
        return .refused(refusal)
    }

    /// Takes a port from the pool and binds it on every bind address. A port another process holds goes
    /// back to the pool and the next is tried, a few times at most.
    private func bindRangePort() async -> (Int, [Endpoint])? {
        guard let counters = self.rangeCounters else { return nil }
        for _ in 0..<16 {
            guard let port = self.portPool.withLock({ $0?.allocate() }) else { return nil }
            var sockets: [Endpoint] = []
            do {
                for address in self.bindAddresses {
                    sockets.append(
                        try self.bindEndpoint(TransportAddress(ip: address, port: UInt16(port)), counters: counters))
                }
                self.recordRangePorts()
                return (port, sockets)
            } catch {
                self.logger.warning("range port unavailable", metadata: ["port": "\(port)", "error": "\(error)"])
                await self.releaseRange(port: port, sockets: sockets.map(\.id))
            }
        }
        return nil
    }

    /// Host candidates for every address of the session: single-port first, range ports below them.
    func candidates(rangeSockets: [Endpoint]) -> [HostCandidate] {
        let single = self.singlePortAddresses
        var candidates: [HostCandidate] = []
        for (index, local) in single.enumerated() {
            candidates.append(
                HostCandidate(
                    foundation: self.foundation(of: local.ip), address: self.announced(local, isRangePort: false),
                    localPreference: UInt32(65_535 - index)
                ))
        }
        let rangePreference = single.isEmpty ? 65_535 : 32_767
        for (index, socket) in rangeSockets.enumerated() {
            candidates.append(
                HostCandidate(
                    foundation: self.foundation(of: socket.local.ip),
                    address: self.announced(socket.local, isRangePort: true),
                    localPreference: UInt32(rangePreference - index)
                ))
        }
        return candidates
    }

    /// Candidates of the same base address share a foundation (RFC 8445, section 5.1.1.3).
    private func foundation(of ip: IPAddress) -> String {
        String((self.bindAddresses.firstIndex(of: ip) ?? self.bindAddresses.count) + 1)
    }

    private func announced(_ local: TransportAddress, isRangePort: Bool) -> TransportAddress {
        guard let mapping = self.settings.udp.announced.first(where: { $0.local == local.ip }) else { return local }
        let port = isRangePort ? local.port : (mapping.publicPort ?? local.port)
        return TransportAddress(ip: mapping.publicIP, port: port)
    }
}
