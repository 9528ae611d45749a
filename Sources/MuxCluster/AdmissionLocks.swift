import Logging
import PostgresNIO

/// The transaction-scoped advisory locks that make admission exact: one per room, per user and per node a
/// creation counts against, so creations that share none of them run in parallel on every node, and two that
/// share one are serialised by PostgreSQL. The keys are a 64-bit FNV-1a hash of the name, the same on every
/// node; a collision only serialises two unrelated creations. Locks are taken in ascending key order, so two
/// transactions never wait on each other in a cycle.
enum AdmissionLocks {
    static func room(_ name: String) -> Int64 { self.key("room", name) }
    static func user(_ name: String) -> Int64 { self.key("user", name) }
    static func node(_ name: String) -> Int64 { self.key("node", name) }

    /// Takes the locks of `keys` for the rest of the transaction, in one round trip for up to three (a
    /// statement's select list is evaluated left to right; PostgreSQL's deadlock detector would still end a
    /// cycle, with an error that counts as the store not answering).
    static func take(_ keys: [Int64], on connection: PostgresConnection, logger: Logger) async throws {
        let sorted = Set(keys).sorted()
        switch sorted.count {
        case 0:
            return
        case 1:
            _ = try await connection.query("SELECT pg_advisory_xact_lock(\(sorted[0]))", logger: logger).collect()
        case 2:
            _ = try await connection.query(
                "SELECT pg_advisory_xact_lock(\(sorted[0])), pg_advisory_xact_lock(\(sorted[1]))", logger: logger
            ).collect()
        case 3:
            _ = try await connection.query(
                """
                SELECT pg_advisory_xact_lock(\(sorted[0])), pg_advisory_xact_lock(\(sorted[1])),
                       pg_advisory_xact_lock(\(sorted[2]))
                """, logger: logger
            ).collect()
        default:
            for key in sorted {
                _ = try await connection.query("SELECT pg_advisory_xact_lock(\(key))", logger: logger).collect()
            }
        }
    }

    private static func key(_ kind: String, _ name: String) -> Int64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in "mediamux:\(kind):\(name)".utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return Int64(bitPattern: hash)
    }
}
