import Logging
import MuxCore
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// Admission shared by every node of a cluster, in PostgreSQL, and this node's lease there.
///
/// A reservation is one row (session, node, room, user). `reserve` checks every cap and inserts in one
/// transaction under transaction-scoped advisory locks of its room, its user and its node
/// (`AdmissionLocks`), so concurrent creations that count against one cap are serialised by PostgreSQL
/// itself, on every node, and none is overshot; the same transaction first drops the rows of nodes whose lease
/// expired, so a dead node's sessions stop counting the moment its lease ends. Only creation and release wait
/// for the store, never the packet path; when it cannot answer in `cluster.store_timeout`, creation is
/// refused (`admission_unavailable`) rather than admitted on a guess.
///
/// The node renews its lease every third of `cluster.lease_seconds`. If a renewal finds the lease had lapsed
/// (a partition from the store long enough for the others to count this node dead), it re-inserts the
/// reservations of its live sessions, which it keeps in memory; releases that failed are retried then too.
public final class ClusterStore: AdmissionStore, Service {
    /// A node as `GET /v1/cluster/nodes` shows it.
    public struct Node: Sendable, Equatable {
        public let id: String
        public let api: String
        public let media: String
        public let capacity: Int
        /// `up`, `draining`, or `dead` once its lease expired.
        public let state: String
        public let sessions: Int
    }

    /// What this node registers.
    public struct Description: Sendable {
        public var api: String
        public var media: [String]
        public var capacity: Int

        public init(api: String, media: [String], capacity: Int) {
            self.api = api
            self.media = media
            self.capacity = capacity
        }
    }

    let settings: ClusterSettings
    private let limits: AdmissionLimits
    let client: PostgresClient
    let logger: Logger
    private let node: Mutex<Description>
    /// Reservations this node made and has not released.
    private let held = Mutex<Set<AdmissionTicket>>([])
    /// Releases the store did not take (it was down, or a reservation finished after its deadline).
    private let pendingReleases = Mutex<Set<AdmissionTicket>>([])
    /// Set once the schema is in place and this node is registered; until then nothing is admitted.
    private let registered = Atomic<Bool>(false)
    private let draining = Atomic<Bool>(false)

    public init(settings: ClusterSettings, limits: AdmissionLimits, node: Description, logger: Logger) {
        self.settings = settings
        self.limits = limits
        self.logger = logger
        self.node = Mutex(node)
        var configuration = PostgresClient.Configuration(
            host: settings.store.host, port: settings.store.port, username: settings.store.user,
            password: settings.store.password, database: settings.store.database,
            tls: Self.tls(settings.store.sslMode))
        configuration.options.connectTimeout = settings.storeTimeout
        configuration.options.maximumConnections = 16
        self.client = PostgresClient(configuration: configuration, backgroundLogger: logger)
    }

    private static func tls(_ mode: String) -> PostgresClient.Configuration.TLS {
        switch mode {
        case "disable": .disable
        case "require": .require(.makeClientConfiguration())
        default: .prefer(.makeClientConfiguration())
        }
    }

    /// The API address and media addresses are known once the transport and the API are bound.
    public func describe(api: String, media: [String]) {
        self.node.withLock { node in
            node.api = api
            node.media = media
        }
    }

    /// Runs the connection pool and the lease until the service group shuts down.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.client.run() }
                group.addTask { await self.keepLease() }
            }
        }
    }

    // MARK: AdmissionStore

    public func reserve(_ ticket: AdmissionTicket) async -> AdmissionRefusal? {
        guard self.registered.load(ordering: .acquiring) else { return .unavailable }
        let limits = self.limits
        let (session, node, room, user) = ("\(ticket.session)", ticket.node, ticket.room, ticket.user)
        let logger = self.logger
        let client = self.client
        let lease = self.leaseInterval
        let outcome: AdmissionRefusal?? = await withDeadline(self.settings.storeTimeout) {
            // First without a lock: a creation that a cap refuses anyway (most of a burst into a full room)
            // costs one read and never queues behind the admitted ones. Counts only fall between this and
            // the locked check, so a refusal here is never wrong for long.
            let unlocked = try await client.query(
                """
                WITH live AS (
                    SELECT r.room, r.user_id, r.node_id FROM mediamux_reservations r
                    JOIN mediamux_nodes n ON n.id = r.node_id WHERE n.lease_until >= clock_timestamp())
                SELECT (SELECT count(*) FROM mediamux_nodes WHERE id = \(node) AND lease_until >= clock_timestamp()),
                       (SELECT count(*) FROM live WHERE room = \(room)),
                       (SELECT count(*) FROM live WHERE user_id = \(user)),
                       (SELECT count(*) FROM live WHERE node_id = \(node))
                """, logger: logger)
            if let refusal = try await Self.refusal(unlocked, limits: limits, hasUser: user != nil) {
                return refusal
            }
            return try await client.withTransaction(logger: logger) { connection -> AdmissionRefusal? in
                let keys =
                    [AdmissionLocks.room(room), AdmissionLocks.node(node)]
                    + (user.map { [AdmissionLocks.user($0)] } ?? [])
                try await AdmissionLocks.take(keys, on: connection, logger: logger)
                // One statement: the counts leave out the rows of nodes whose lease ended (their sessions are
                // gone), and reaching the store renews this node's lease, so a burst of creations that delays
                // the renewal round cannot make the others count it dead. clock_timestamp(), not now(): a
                // transaction that waited for a lock must not compare or set leases with its start time.
                let locked = try await connection.query(
                    """
                    WITH me AS (
                        UPDATE mediamux_nodes SET lease_until = greatest(lease_until, clock_timestamp() + \(lease)::interval)
                        WHERE id = \(node) AND lease_until >= clock_timestamp() RETURNING id),
                    live AS (
                        SELECT r.room, r.user_id, r.node_id FROM mediamux_reservations r
                        JOIN mediamux_nodes n ON n.id = r.node_id WHERE n.lease_until >= clock_timestamp())
                    SELECT (SELECT count(*) FROM me),
                           (SELECT count(*) FROM live WHERE room = \(room)),
                           (SELECT count(*) FROM live WHERE user_id = \(user)),
                           (SELECT count(*) FROM live WHERE node_id = \(node))
                    """, logger: logger)
                if let refusal = try await Self.refusal(locked, limits: limits, hasUser: user != nil) {
                    return refusal
                }
                _ = try await connection.query(
                    """
                    INSERT INTO mediamux_reservations (session_id, node_id, room, user_id)
                    VALUES (\(session), \(node), \(room), \(user)) ON CONFLICT DO NOTHING
                    """, logger: logger
                ).collect()
                return nil
            }
        }
        guard let refusal = outcome, refusal != .unavailable else {
            // Down, or slow: the transaction may still commit after the deadline, so it is undone later.
            self.pendingReleases.withLock { _ = $0.insert(ticket) }
            return .unavailable
        }
        if refusal == nil { self.held.withLock { _ = $0.insert(ticket) } }
        return refusal
    }

    /// The cap that the counts (this node alive, in the room, of the user, on this node) say refuses a new
    /// session. A lapsed lease refuses too: the others no longer count this node's rows, so nothing is
    /// admitted until the renewal round has counted its live sessions again.
    private static func refusal(
        _ rows: PostgresRowSequence, limits: AdmissionLimits, hasUser: Bool
    ) async throws -> AdmissionRefusal? {
        var counts = (alive: 0, room: 0, user: 0, node: 0)
        for try await (alive, inRoom, ofUser, onNode) in rows.decode((Int, Int, Int, Int).self) {
            counts = (alive, inRoom, ofUser, onNode)
        }
        if counts.alive != 1 { return .unavailable }
        if counts.room >= limits.maxSessionsPerRoom { return .roomFull }
        if hasUser && counts.user >= limits.maxSessionsPerUser { return .userLimit }
        if counts.node >= limits.maxSessionsTotal { return .capacity }
        return nil
    }

    public func release(_ ticket: AdmissionTicket) async {
        self.held.withLock { _ = $0.remove(ticket) }
        let client = self.client
        let logger = self.logger
        let released: Void? = await withDeadline(self.settings.storeTimeout) {
            _ = try await client.query(
                "DELETE FROM mediamux_reservations WHERE session_id = \("\(ticket.session)") AND node_id = \(ticket.node)",
                logger: logger
            ).collect()
        }
        if released == nil { self.pendingReleases.withLock { _ = $0.insert(ticket) } }
    }

    // MARK: Nodes

    /// Every node the store knows, with its state and how many sessions it holds; nil when the store cannot
    /// be reached.
    public func nodes() async -> [Node]? {
        let client = self.client
        let logger = self.logger
        return await withDeadline(self.settings.storeTimeout) {
            var nodes: [Node] = []
            let rows = try await client.query(
                """
                SELECT n.id, n.api, n.media, n.capacity, n.state, n.lease_until < clock_timestamp(),
                       (SELECT count(*) FROM mediamux_reservations r WHERE r.node_id = n.id)
                FROM mediamux_nodes n ORDER BY n.id
                """, logger: logger)
            for try await (id, api, media, capacity, state, expired, sessions) in rows.decode(
                (String, String, String, Int, String, Bool, Int).self)
            {
                nodes.append(
                    Node(
                        id: id, api: api, media: media, capacity: capacity, state: expired ? "dead" : state,
                        sessions: expired ? 0 : sessions))
            }
            return nodes
        }
    }

    /// From now on the node shows as `draining` (at the next renewal, or `announceState`).
    public func startDraining() {
        self.draining.store(true, ordering: .relaxed)
    }

    /// Renews the lease now, with the node's state, rather than at the next round.
    public func announceState() async {
        guard self.registered.load(ordering: .acquiring) else { return }
        let renewed: Void? = await withDeadline(self.settings.storeTimeout) { try await self.renew() }
        if renewed == nil { self.logger.warning("could not tell the cluster store this node's state yet") }
    }

    /// The rows of nodes whose lease ran out: they hold nothing any more.
    private static let releaseDeadNodes: PostgresQuery = """
        DELETE FROM mediamux_reservations
        WHERE node_id IN (SELECT id FROM mediamux_nodes WHERE lease_until < clock_timestamp())
        """

    // MARK: The lease

    private func keepLease() async {
        let interval = Duration.seconds(self.settings.leaseSeconds) / 3
        var failures = 0
        while !Task.isCancelled {
            do {
                if !self.registered.load(ordering: .acquiring) {
                    try await ClusterSchema.apply(on: self.client, logger: self.logger)
                    try await self.register()
                    self.registered.store(true, ordering: .releasing)
                    self.logger.info(
                        "joined the cluster",
                        metadata: ["node": "\(self.settings.nodeID)", "store": "\(self.settings.store)"])
                } else {
                    try await self.renew()
                }
                failures = 0
            } catch {
                failures += 1
                // Once, then every tenth failure: an outage of the store is loud enough without a line per renewal.
                if failures == 1 || failures % 10 == 0 {
                    self.logger.warning(
                        "cannot reach the cluster store; creations answer 503 admission_unavailable meanwhile",
                        metadata: ["store": "\(self.settings.store)", "error": "\(String(reflecting: error))"])
                }
            }
            try? await Task.sleep(for: interval)
        }
    }

    private var leaseInterval: String { "\(self.settings.leaseSeconds) seconds" }

    /// First registration of this process: whatever an earlier process of the same node id left is its own
    /// and no longer live.
    private func register() async throws {
        let node = self.node.withLock { $0 }
        let id = self.settings.nodeID
        let logger = self.logger
        let lease = self.leaseInterval
        try await self.client.withTransaction(logger: logger) { connection in
            _ = try await connection.query("DELETE FROM mediamux_reservations WHERE node_id = \(id)", logger: logger)
                .collect()
            _ = try await connection.query(
                """
                INSERT INTO mediamux_nodes (id, api, media, capacity, state, lease_until, started_at)
                VALUES (\(id), \(node.api), \(node.media.joined(separator: ",")), \(node.capacity), 'up',
                        clock_timestamp() + \(lease)::interval, now())
                ON CONFLICT (id) DO UPDATE SET api = EXCLUDED.api, media = EXCLUDED.media,
                    capacity = EXCLUDED.capacity, state = 'up', lease_until = EXCLUDED.lease_until,
                    started_at = EXCLUDED.started_at
                """, logger: logger
            ).collect()
        }
    }

    private func renew() async throws {
        let node = self.node.withLock { $0 }
        let id = self.settings.nodeID
        let logger = self.logger
        let lease = self.leaseInterval
        let state = self.draining.load(ordering: .relaxed) ? "draining" : "up"
        let pending = self.pendingReleases.withLock { $0 }
        let held = self.held.withLock { $0 }
        let lapsed = try await self.client.withTransaction(logger: logger) { connection -> Bool in
            // A plain renewal takes only the node's row: it must not queue behind a burst of creations.
            let rows = try await connection.query(
                """
                UPDATE mediamux_nodes SET lease_until = clock_timestamp() + \(lease)::interval, state = \(state),
                    api = \(node.api), media = \(node.media.joined(separator: ",")), capacity = \(node.capacity)
                WHERE id = \(id) AND lease_until >= clock_timestamp() RETURNING id
                """, logger: logger)
            var renewed = false
            for try await _ in rows { renewed = true }
            if !renewed {
                // Under their rooms', users' and this node's locks, so no cap is being checked meanwhile.
                let keys = held.flatMap { ticket in
                    [AdmissionLocks.room(ticket.room), AdmissionLocks.node(ticket.node)]
                        + (ticket.user.map { [AdmissionLocks.user($0)] } ?? [])
                }
                try await AdmissionLocks.take(keys + [AdmissionLocks.node(id)], on: connection, logger: logger)
                _ = try await connection.query(
                    """
                    INSERT INTO mediamux_nodes (id, api, media, capacity, state, lease_until)
                    VALUES (\(id), \(node.api), \(node.media.joined(separator: ",")), \(node.capacity), \(state),
                            clock_timestamp() + \(lease)::interval)
                    ON CONFLICT (id) DO UPDATE SET lease_until = EXCLUDED.lease_until, state = EXCLUDED.state
                    """, logger: logger
                ).collect()
                for ticket in held {
                    _ = try await connection.query(
                        """
                        INSERT INTO mediamux_reservations (session_id, node_id, room, user_id)
                        VALUES (\("\(ticket.session)"), \(ticket.node), \(ticket.room), \(ticket.user))
                        ON CONFLICT DO NOTHING
                        """, logger: logger
                    ).collect()
                }
            }
            for ticket in pending where !held.contains(ticket) {
                _ = try await connection.query(
                    "DELETE FROM mediamux_reservations WHERE session_id = \("\(ticket.session)") AND node_id = \(ticket.node)",
                    logger: logger
                ).collect()
            }
            _ = try await connection.query(Self.releaseDeadNodes, logger: logger).collect()
            return !renewed
        }
        self.pendingReleases.withLock { $0.subtract(pending) }
        if lapsed {
            self.logger.warning(
                "this node's lease had lapsed (the store was out of reach for longer than the lease); its live sessions were counted again",
                metadata: ["sessions": "\(held.count)"])
        }
    }
}
