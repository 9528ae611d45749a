import MuxSDP
import MuxWire
import NIOCore

/// What one client may hold of the API before it has authenticated anything (docs/configuration.md, `api`).
public struct HTTPLimits: Sendable {
    /// Open connections in total; trusted sources may open more.
    public var maxConnections = 4096
    /// Open connections from one source IP (IPv6: one /64); nil is no limit. Trusted sources are exempt.
    public var maxConnectionsPerIP: Int? = 256
    /// Sources exempt from both caps: the signaling servers and load balancers in front of the API.
    public var trusted: [IPNetwork] = []
    /// From opening (or the end of the previous response) to the end of the request head.
    public var headerTimeout: TimeAmount = .seconds(10)
    /// From the request head to the end of its body.
    public var bodyTimeout: TimeAmount = .seconds(30)
    /// Between requests on a kept-alive connection.
    public var idleTimeout: TimeAmount = .seconds(60)

    /// A request body holds at most an offer (`SDPLimits.offerBytes`) and a few fields, JSON-escaped: 256 KiB.
    public static let maxBodyBytes = 2 * SDPLimits.offerBytes

    public init() {}
}
