import Logging
import PostgresNIO

/// The store's tables, as numbered migrations applied at start, each once, under a transaction-scoped
/// advisory lock so that nodes starting together do not apply one twice. Only ever append to `migrations`.
enum ClusterSchema {
    static let migrations: [(version: Int, statements: [PostgresQuery])] = [
        (
            1,
            [
                """
                CREATE TABLE mediamux_nodes (
                    id text PRIMARY KEY,
                    api text NOT NULL,
                    media text NOT NULL,
                    capacity integer NOT NULL,
                    state text NOT NULL,
                    lease_until timestamptz NOT NULL,
                    started_at timestamptz NOT NULL DEFAULT now()
                )
                """,
                """
                CREATE TABLE mediamux_reservations (
                    session_id text NOT NULL,
                    node_id text NOT NULL,
                    room text NOT NULL,
                    user_id text,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    PRIMARY KEY (session_id, node_id)
                )
                """,
                "CREATE INDEX mediamux_reservations_room ON mediamux_reservations (room)",
                "CREATE INDEX mediamux_reservations_user ON mediamux_reservations (user_id)",
                "CREATE INDEX mediamux_reservations_node ON mediamux_reservations (node_id)",
            ]
        ),
        (
            2,
            [
                """
                CREATE TABLE mediamux_rooms (
                    room text PRIMARY KEY,
                    node_id text NOT NULL,
                    placed_at timestamptz NOT NULL DEFAULT now()
                )
                """
            ]
        ),
    ]

    /// The advisory lock key of migrations (admission's are `AdmissionLocks`).
    static let migrationLock: Int64 = 0x6D6D_7800_0001

    static func apply(on client: PostgresClient, logger: Logger) async throws {
        try await client.withTransaction(logger: logger) { connection in
            _ = try await connection.query("SELECT pg_advisory_xact_lock(\(Self.migrationLock))", logger: logger)
                .collect()
            _ = try await connection.query(
                """
                CREATE TABLE IF NOT EXISTS mediamux_schema (
                    version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())
                """, logger: logger
            ).collect()
            var applied = Set<Int>()
            for try await version in try await connection.query("SELECT version FROM mediamux_schema", logger: logger)
                .decode(Int.self)
            {
                applied.insert(version)
            }
            for migration in Self.migrations where !applied.contains(migration.version) {
                for statement in migration.statements {
                    _ = try await connection.query(statement, logger: logger).collect()
                }
                _ = try await connection.query(
                    "INSERT INTO mediamux_schema (version) VALUES (\(migration.version))", logger: logger
                ).collect()
                logger.info("applied store migration", metadata: ["version": "\(migration.version)"])
            }
        }
    }
}
