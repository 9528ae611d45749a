import Logging
import PostgresNIO

extension ClusterStore {
    /// Where a request belongs: a node's id and API address.
    public struct Owner: Sendable, Equatable {
        public let node: String
        public let api: String
    }

    /// The node that holds `room`, placing it first if no live node does: on the live, `up` node with the
    /// smallest share of its capacity in use (and some left), so that every member of a room is on one node
    /// and the `room` relay needs no hop between nodes. A room stays where it is while its node lives, except
    /// that a draining node's empty rooms move. Among nodes equally loaded the choice is random, so a burst
    /// of new rooms, placed before any of their sessions counts, spreads. Nil when the store cannot answer or
    /// no node has room.
    public func placeRoom(_ room: String) async -> Owner? {
        let client = self.client
        let logger = self.logger
        return await withDeadline(self.settings.storeTimeout) {
            try await client.withTransaction(logger: logger) { connection -> Owner? in
                // The room's lock: two nodes placing one room at once agree on one node.
                try await AdmissionLocks.take([AdmissionLocks.room(room)], on: connection, logger: logger)
                let placed = try await connection.query(
                    """
                    SELECT n.id, n.api FROM mediamux_rooms p JOIN mediamux_nodes n ON n.id = p.node_id
                    WHERE p.room = \(room) AND n.lease_until >= clock_timestamp()
                      AND (n.state = 'up' OR EXISTS (
                          SELECT 1 FROM mediamux_reservations r WHERE r.room = p.room AND r.node_id = n.id))
                    """, logger: logger)
                if let owner = try await Self.owner(in: placed) { return owner }
                let candidates = try await connection.query(
                    """
                    SELECT n.id, n.api FROM mediamux_nodes n
                    WHERE n.lease_until >= clock_timestamp() AND n.state = 'up'
                      AND (SELECT count(*) FROM mediamux_reservations r WHERE r.node_id = n.id) < n.capacity
                    ORDER BY (SELECT count(*) FROM mediamux_reservations r WHERE r.node_id = n.id)::float8
                             / greatest(n.capacity, 1), random()
                    LIMIT 1
                    """, logger: logger)
                guard let owner = try await Self.owner(in: candidates) else { return nil }
                _ = try await connection.query(
                    """
                    INSERT INTO mediamux_rooms (room, node_id) VALUES (\(room), \(owner.node))
                    ON CONFLICT (room) DO UPDATE SET node_id = EXCLUDED.node_id, placed_at = now()
                    """, logger: logger
                ).collect()
                return owner
            }
        } ?? nil
    }

    /// The live node that holds session `id`, from its reservation; nil when none does (closed, or never
    /// made) or the store cannot answer.
    public func ownerOfSession(_ id: String) async -> Owner? {
        await self.liveOwner(
            """
            SELECT n.id, n.api FROM mediamux_reservations r JOIN mediamux_nodes n ON n.id = r.node_id
            WHERE r.session_id = \(id) AND n.lease_until >= clock_timestamp()
            """)
    }

    /// The node named `id`, if it is live; for forwarding a drain.
    public func liveNode(_ id: String) async -> Owner? {
        await self.liveOwner("SELECT id, api FROM mediamux_nodes WHERE id = \(id) AND lease_until >= clock_timestamp()")
    }

    /// The node a query of (id, api) rows names; nil when it names none or the store cannot answer.
    private func liveOwner(_ query: PostgresQuery) async -> Owner? {
        let client = self.client
        let logger = self.logger
        return await withDeadline(self.settings.storeTimeout) {
            try await Self.owner(in: client.query(query, logger: logger))
        } ?? nil
    }

    /// The first (id, api) row as an owner. Every row is read, so the connection is left with none pending.
    private static func owner(in rows: PostgresRowSequence) async throws -> Owner? {
        var owner: Owner?
        for try await (node, api) in rows.decode((String, String).self) where owner == nil {
            owner = Owner(node: node, api: api)
        }
        return owner
    }
}
