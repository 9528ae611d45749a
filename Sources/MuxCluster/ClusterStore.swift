import Logging
import MuxCore
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// Admission shared by every node of a cluster, in PostgreSQL, and this node's lease there.
///
/// A reservation is one row (session, node, room, user). `reserve` checks every cap and inserts in one
/// transaction under a transaction-scoped advisory lock, so concurrent creations on all nodes are serialised
/// by PostgreSQL itself and no cap is overshot; the same transaction first drops the rows of nodes whose lease
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

    private let settings: ClusterSettings
    private let limits: AdmissionLimits
    private let client: PostgresClient
    private let logger: Logger
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
        configuration.options.maximumConnections = 8
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
        let outcome: AdmissionRefusal?? = await withDeadline(self.settings.storeTimeout) {
            try await client.withTransaction(logger: logger) { connection -> AdmissionRefusal? in
                try await connection.query(
                    "SELECT pg_advisory_xact_lock(\(ClusterSchema.admissionLock))", logger: logger)
                try await connection.query(Self.releaseDeadNodes, logger: logger)
                let rows = try await connection.query(
                    """
                    SELECT (SELECT count(*) FROM mediamux_reservations WHERE room = \(room)),
                           (SELECT count(*) FROM mediamux_reservations WHERE user_id = \(user)),
                           (SELECT count(*) FROM mediamux_reservations WHERE node_id = \(node))
                    """, logger: logger)
                var counts = (room: 0, user: 0, node: 0)
                for try await (inRoom, ofUser, onNode) in rows.decode((Int, Int, Int).self) {
                    counts = (inRoom, ofUser, onNode)
                }
                if counts.room >= limits.maxSessionsPerRoom { return .roomFull }
                if user != nil && counts.user >= limits.maxSessionsPerUser { return .userLimit }
                if counts.node >= limits.maxSessionsTotal { return .capacity }
                try await connection.query(
                    """
                    INSERT INTO mediamux_reservations (session_id, node_id, room, user_id)
                    VALUES (\(session), \(node), \(room), \(user)) ON CONFLICT DO NOTHING
                    """, logger: logger)
                return nil
            }
        }
        guard let refusal = outcome else {
            // Down, or slow: the transaction may still commit after the deadline, so it is undone later.
            self.pendingReleases.withLock { _ = $0.insert(ticket) }
            return .unavailable
        }
        if refusal == nil { self.held.withLock { _ = $0.insert(ticket) } }
        return refusal
    }

    public func release(_ ticket: AdmissionTicket) async {
        self.held.withLock { _ = $0.remove(ticket) }
        let client = self.client
        let logger = self.logger
        let released: Void? = await withDeadline(self.settings.storeTimeout) {
            try await client.query(
                "DELETE FROM mediamux_reservations WHERE session_id = \("\(ticket.session)") AND node_id = \(ticket.node)",
                logger: logger)
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
                SELECT n.id, n.api, n.media, n.capacity, n.state, n.lease_until < now(),
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

    /// From now on the node shows as `draining`.
    public func startDraining() {
        self.draining.store(true, ordering: .relaxed)
    }

    /// The rows of nodes whose lease ran out: they hold nothing any more.
    private static let releaseDeadNodes: PostgresQuery = """
        DELETE FROM mediamux_reservations
        WHERE node_id IN (SELECT id FROM mediamux_nodes WHERE lease_until < now())
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
            try await connection.query("DELETE FROM mediamux_reservations WHERE node_id = \(id)", logger: logger)
            try await connection.query(
                """
                INSERT INTO mediamux_nodes (id, api, media, capacity, state, lease_until, started_at)
                VALUES (\(id), \(node.api), \(node.media.joined(separator: ",")), \(node.capacity), 'up',
                        now() + \(lease)::interval, now())
                ON CONFLICT (id) DO UPDATE SET api = EXCLUDED.api, media = EXCLUDED.media,
                    capacity = EXCLUDED.capacity, state = 'up', lease_until = EXCLUDED.lease_until,
                    started_at = EXCLUDED.started_at
                """, logger: logger)
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
            // Under the admission lock, so a lapsed node's rows are not re-inserted past a cap being checked.
            try await connection.query("SELECT pg_advisory_xact_lock(\(ClusterSchema.admissionLock))", logger: logger)
            let rows = try await connection.query(
                """
                UPDATE mediamux_nodes SET lease_until = now() + \(lease)::interval, state = \(state),
                    api = \(node.api), media = \(node.media.joined(separator: ",")), capacity = \(node.capacity)
                WHERE id = \(id) AND lease_until >= now() RETURNING id
                """, logger: logger)
            var renewed = false
            for try await _ in rows { renewed = true }
            if !renewed {
                try await connection.query(
                    """
                    INSERT INTO mediamux_nodes (id, api, media, capacity, state, lease_until)
                    VALUES (\(id), \(node.api), \(node.media.joined(separator: ",")), \(node.capacity), \(state),
                            now() + \(lease)::interval)
                    ON CONFLICT (id) DO UPDATE SET lease_until = EXCLUDED.lease_until, state = EXCLUDED.state
                    """, logger: logger)
                for ticket in held {
                    try await connection.query(
                        """
                        INSERT INTO mediamux_reservations (session_id, node_id, room, user_id)
                        VALUES (\("\(ticket.session)"), \(ticket.node), \(ticket.room), \(ticket.user))
                        ON CONFLICT DO NOTHING
                        """, logger: logger)
                }
            }
            for ticket in pending where !held.contains(ticket) {
                try await connection.query(
                    "DELETE FROM mediamux_reservations WHERE session_id = \("\(ticket.session)") AND node_id = \(ticket.node)",
                    logger: logger)
            }
            try await connection.query(Self.releaseDeadNodes, logger: logger)
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
