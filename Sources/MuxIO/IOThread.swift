import CMuxSockets
import MuxCore
import MuxICE
import MuxWire
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// One packet thread: reads its sockets with `recvmmsg` in batches, routes every datagram, and sends
/// what routing and handlers produced with `sendmmsg` after each batch. Nothing on this path allocates
/// once a session is up: the receive slots and the outbox are allocated when the thread starts.
///
/// Other threads talk to it only through commands (serve a socket, forget one, pass a batch boundary, stop), which it runs
/// between batches; so a socket is never closed while the thread reads it.
final class IOThread: @unchecked Sendable {
    struct Served: Sendable {
        let socket: UDPSocket
        let counters: SocketCounters
        let role: Role
    }

    /// Whose datagrams a socket reads: an endpoint's, routed to sessions, or a plain RTP port's, handed to
    /// the port's one session.
    enum Role: Sendable {
        case endpoint(SocketID)
        case plain(PlainUDPPort)
    }

    private enum Command: Sendable {
        case serve(Served)
        case listen(TCPListener)
        /// Stop reading the socket (it stays open); answered once it is out of the epoll set.
        case forget(UDPSocket, CheckedContinuation<Void, Never>)
        /// Answered between two batches: what the thread queued before is sent.
        case barrier(CheckedContinuation<Void, Never>)
        /// Forget the media routes of sessions whose tuples changed; answer with how many are left.
        case pruneRoutes(CheckedContinuation<Int, Never>?)
        case stop(CheckedContinuation<Void, Never>)
    }

    let index: Int
    private let router: SessionRouter
    private let epoll: Int32
    private let wakeup: Int32
    /// Commands for the thread; `stopped` once it ended, when a command is answered where it is posted.
    private let mailbox = Mutex<(commands: [Command], stopped: Bool)>(([], false))
    /// At most this many batches from one socket before the others get a turn.
    private static let batchesPerTurn = 8

    // Owned by the thread once it runs.
    private var sockets: [Int32: Served] = [:]
    private let batch: ReceiveBatch
    private let outbox: Outbox
    private var mediaRoutes = MediaRouteCache()
    private let streams: TCPStreams

    init(
        index: Int, router: SessionRouter, batchSize: Int, slotSize: Int, tcp: TCPSide
    ) {
        self.index = index
        self.router = router
        self.epoll = mm_poller_create()
        self.wakeup = mm_wakeup_create()
        precondition(self.epoll >= 0 && self.wakeup >= 0, "cannot create the I/O thread's epoll set")
        mm_poller_add(self.epoll, self.wakeup)
        self.batch = ReceiveBatch(capacity: batchSize, slotSize: slotSize)
        self.outbox = Outbox(thread: index, capacity: max(64, batchSize * 2), slotSize: slotSize)
        self.streams = TCPStreams(
            thread: index, router: router, registry: tcp.registry, limits: tcp.limits,
            configuration: tcp.configuration, threads: tcp.threads, poller: self.epoll, outbox: self.outbox)
    }

    /// What every thread's ICE-TCP side shares.
    struct TCPSide: Sendable {
        let configuration: TCPConfiguration
        let limits: TCPConnectionLimits
        let registry: SocketRegistry
        let threads: Int
    }

    func start() {
        var thread = pthread_t()
        let context = Unmanaged.passRetained(self).toOpaque()
        let created = pthread_create(
            &thread, nil,
            { context in
                let ioThread = Unmanaged<IOThread>.fromOpaque(context!).takeRetainedValue()
                ioThread.loop()
                return nil
            }, context)
        precondition(created == 0, "cannot start an I/O thread")
        pthread_detach(thread)
    }

    /// Starts reading `socket`; datagrams already queued are read too.
    func serve(_ socket: UDPSocket, endpoint: SocketID, counters: SocketCounters) {
        self.post(.serve(Served(socket: socket, counters: counters, role: .endpoint(endpoint))))
    }

    /// Starts reading a plain RTP port's socket.
    func serve(_ port: PlainUDPPort) {
        self.post(.serve(Served(socket: port.socket, counters: port.counters, role: .plain(port))))
    }

    /// Starts accepting ICE-TCP connections on `listener`.
    func listen(_ listener: TCPListener) {
        self.post(.listen(listener))
    }

    /// Stops reading `socket`, which stays open: the transport closes it once no thread's outbox can still
    /// hold its descriptor (`passBatchBoundary`).
    func forget(_ socket: UDPSocket) async {
        await withCheckedContinuation { self.post(.forget(socket, $0)) }
    }

    /// Returns once the thread is between two batches, so every datagram it queued before the call was sent.
    func passBatchBoundary() async {
        await withCheckedContinuation { self.post(.barrier($0)) }
    }

    /// Drops the media routes of closed sessions and of tuples that moved: once a second, from the mux's timer.
    func pruneRoutes() {
        self.post(.pruneRoutes(nil))
    }

    /// Prunes, then says how many media routes the thread still holds.
    func prunedRouteCount() async -> Int {
        await withCheckedContinuation { self.post(.pruneRoutes($0)) }
    }

    /// Closes every socket and ends the thread.
    func stop() async {
        await withCheckedContinuation { self.post(.stop($0)) }
    }

    private func post(_ command: Command) {
        // Signalled under the lock, so the thread cannot close the eventfd in between.
        let queued = self.mailbox.withLock { mailbox in
            guard !mailbox.stopped else { return false }
            mailbox.commands.append(command)
            mm_wakeup_signal(self.wakeup)
            return true
        }
        if !queued { Self.answerAfterStop(command) }
    }

    /// A command that comes after the thread ended (a session given up during shutdown): the thread closed its
    /// sockets, so only the answer is left to give.
    private static func answerAfterStop(_ command: Command) {
        switch command {
        case .serve(let served):
            served.socket.close()
        case .listen(let listener):
            listener.close()
        case .forget(_, let done), .barrier(let done):
            done.resume()
        case .pruneRoutes(let done):
            done?.resume(returning: 0)
        case .stop(let done):
            done.resume()
        }
    }

    // MARK: The loop

    private func loop() {
        mm_thread_name("mux-io-\(self.index)")
        self.outbox.makeCurrent()
        PacketThread.enter(index: self.index)
        let capacity = 64
        let ready = UnsafeMutablePointer<Int32>.allocate(capacity: capacity)
        let flags = UnsafeMutablePointer<UInt32>.allocate(capacity: capacity)
        defer {
            ready.deallocate()
            flags.deallocate()
        }
        var stopped: CheckedContinuation<Void, Never>?
        while stopped == nil {
            let count = Int(
                mm_poller_wait_flags(
                    self.epoll, ready, flags, Int32(capacity), self.streams.pollTimeoutMilliseconds))
            for index in 0..<count {
                let descriptor = ready[index]
                if descriptor == self.wakeup {
                    stopped = self.runCommands() ?? stopped
                } else if let served = self.sockets[descriptor] {
                    self.readAvailable(served)
                } else {
                    _ = self.streams.handle(descriptor, flags: flags[index], now: .now)
                }
            }
            if self.streams.pollTimeoutMilliseconds >= 0 { self.streams.housekeep(now: .now) }
        }
        self.streams.closeAll()
        let late = self.mailbox.withLock { mailbox in
            mailbox.stopped = true
            defer { mailbox.commands.removeAll() }
            return mailbox.commands
        }
        for served in self.sockets.values { served.socket.close() }
        self.sockets.removeAll()
        close(self.epoll)
        close(self.wakeup)
        stopped?.resume()
        for command in late { Self.answerAfterStop(command) }
    }

    /// Runs the queued commands; returns the continuation of a stop, if one came.
    private func runCommands() -> CheckedContinuation<Void, Never>? {
        mm_wakeup_drain(self.wakeup)
        let pending = self.mailbox.withLock { mailbox in
            defer { mailbox.commands.removeAll(keepingCapacity: true) }
            return mailbox.commands
        }
        var stop: CheckedContinuation<Void, Never>?
        for command in pending {
            switch command {
            case .serve(let served):
                let descriptor = served.socket.descriptor
                if mm_poller_add(self.epoll, descriptor) == 0 { self.sockets[descriptor] = served }
            case .listen(let listener):
                self.streams.listen(listener)
            case .forget(let socket, let done):
                let descriptor = socket.descriptor
                mm_poller_remove(self.epoll, descriptor)
                self.sockets[descriptor] = nil
                done.resume()
            case .barrier(let done):
                // Commands run between batches, and each batch ends with its outbox flushed.
                done.resume()
            case .pruneRoutes(let done):
                self.mediaRoutes.prune()
                let left = self.mediaRoutes.count + self.streams.pruneRoutes()
                done?.resume(returning: left)
            case .stop(let done):
                stop = done
            }
        }
        return stop
    }

    private func readAvailable(_ served: Served) {
        for _ in 0..<Self.batchesPerTurn {
            let count = self.batch.read(from: served.socket.descriptor)
            guard count > 0 else { break }
            let now = ContinuousClock.now
            self.outbox.batchReadAt = now
            switch served.role {
            case .endpoint(let endpoint):
                for index in 0..<count { self.dispatch(index, on: served, endpoint: endpoint, now: now) }
            case .plain(let port):
                for index in 0..<count { self.deliver(index, to: port, counters: served.counters) }
            }
            self.outbox.flush()
            if count < self.batch.capacity { break }
        }
    }

    /// Classifies, counts and routes one datagram of the batch, then acts on the decision: count a drop,
    /// queue a STUN answer to its source on the same socket, or hand it to the session's handler.
    private func dispatch(_ index: Int, on served: Served, endpoint: SocketID, now: ContinuousClock.Instant) {
        let datagram = self.batch.datagram(index)
        let packetClass = PacketClass(datagram: UnsafeRawBufferPointer(datagram))
        guard let remote = self.admit(index, class: packetClass, counters: served.counters) else { return }
        let tuple = FiveTuple(socket: endpoint, remote: remote)
        let decision = self.mediaRoutes.route(
            UnsafeRawBufferPointer(datagram), class: packetClass, on: tuple, now: now, router: self.router)
        switch decision {
        case .drop(let reason):
            served.counters.dropped(reason, thread: self.index)
        case .reply(let response, let refused):
            if let refused { served.counters.dropped(refused, thread: self.index) }
            let queued = self.outbox.append(
                descriptor: served.socket.descriptor, destination: self.batch.source(index),
                length: self.batch.sourceLength(index), counters: served.counters, capacity: response.count
            ) { slot in
                slot.copyBytes(from: response)
                return response.count
            }
            if queued != nil { served.counters.sent(.stun, bytes: response.count, thread: self.index) }
        case .deliver(let handler):
            handler.handleDatagram(datagram, class: packetClass, from: tuple, now: now)
        }
    }

    /// Counts one datagram of a plain RTP port and hands it to the port.
    private func deliver(_ index: Int, to port: PlainUDPPort, counters: SocketCounters) {
        let datagram = UnsafeRawBufferPointer(self.batch.datagram(index))
        guard let source = self.admit(index, class: PacketClass(datagram: datagram), counters: counters) else { return }
        port.deliver(datagram, from: source, thread: self.index)
    }

    /// Counts datagram `index` of the batch as received and returns its source; nil, counted as a drop, when
    /// the kernel cut it or its source cannot be read.
    private func admit(_ index: Int, class packetClass: PacketClass, counters: SocketCounters) -> TransportAddress? {
        counters.received(packetClass, bytes: self.batch.datagram(index).count, thread: self.index)
        if self.batch.wasTruncated(index) {
            counters.dropped(.truncated, thread: self.index)
            return nil
        }
        guard let source = TransportAddress(storage: self.batch.source(index)) else {
            counters.dropped(.malformed, thread: self.index)
            return nil
        }
        return source
    }
}
