/// `cluster.*`: several nodes as one service. Absent (`AppSettings.cluster` nil), one node keeps everything in
/// memory, as before. Defaults match docs/configuration.md.
public struct ClusterSettings: Sendable, Equatable {
    public var store: StoreAddress
    /// This node's name in the store; the host name by default.
    public var nodeID: String
    /// How the other nodes reach this node's API; nil: the API's own address.
    public var advertiseAPI: String?
    /// A node that stops renewing its lease is dead after this, and its reservations are released.
    public var leaseSeconds: Int = 10
    /// How long a creation waits for the store before it answers 503 `admission_unavailable`.
    public var storeTimeout: Duration = .seconds(3)

    public init(store: StoreAddress, nodeID: String, advertiseAPI: String? = nil, leaseSeconds: Int = 10) {
        self.store = store
        self.nodeID = nodeID
        self.advertiseAPI = advertiseAPI
        self.leaseSeconds = leaseSeconds
    }
}

/// Where the PostgreSQL store is: `postgres://user[:password]@host[:port]/database`. Without a password in
/// the URL, `PGPASSWORD` is used (or none, for trust or peer authentication).
public struct StoreAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    /// `?sslmode=disable`, `prefer` (the default: TLS when the server offers it) or `require`.
    public var sslMode: String = "prefer"

    public init(
        host: String, port: Int = 5432, user: String, password: String? = nil, database: String,
        sslMode: String = "prefer"
    ) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database
        self.sslMode = sslMode
    }

    /// The address, or why `url` is not one.
    public static func parse(_ url: String, environmentPassword: String?) -> Result<StoreAddress, StoreAddressError> {
        let schemes = ["postgres://", "postgresql://"]
        guard let scheme = schemes.first(where: { url.hasPrefix($0) }) else {
            return .failure(StoreAddressError("must start with postgres://"))
        }
        let rest = url.dropFirst(scheme.count)
        guard let at = rest.lastIndex(of: "@") else { return .failure(StoreAddressError("names no user (user@host)")) }
        let credentials = rest[..<at]
        let location = rest[rest.index(after: at)...]
        let user = String(credentials.prefix { $0 != ":" })
        let password = credentials.contains(":") ? String(credentials.drop { $0 != ":" }.dropFirst()) : nil
        guard let slash = location.firstIndex(of: "/") else { return .failure(StoreAddressError("names no database")) }
        let path = location[location.index(after: slash)...]
        let database = String(path.prefix { $0 != "?" })
        var sslMode = "prefer"
        if let query = path.split(separator: "?", maxSplits: 1).dropFirst().first {
            for pair in query.split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2, parts[0] == "sslmode" else {
                    return .failure(StoreAddressError("knows only the parameter sslmode, not \"\(pair)\""))
                }
                guard ["disable", "prefer", "require"].contains(parts[1]) else {
                    return .failure(StoreAddressError("sslmode is disable, prefer or require"))
                }
                sslMode = parts[1]
            }
        }
        var hostPort = location[..<slash]
        var port = 5432
        if let colon = hostPort.lastIndex(of: ":"), !hostPort.hasSuffix("]") {
            guard let parsed = Int(hostPort[hostPort.index(after: colon)...]), (1...65535).contains(parsed) else {
                return .failure(StoreAddressError("has a port that is not 1-65535"))
            }
            port = parsed
            hostPort = hostPort[..<colon]
        }
        let host = String(hostPort.trimmingCharacters(in: "[]"))
        guard !user.isEmpty, !host.isEmpty, !database.isEmpty else {
            return .failure(StoreAddressError("needs a user, a host and a database"))
        }
        return .success(
            StoreAddress(
                host: host, port: port, user: user, password: password ?? environmentPassword, database: database,
                sslMode: sslMode))
    }

    /// Without the password, for logs and errors.
    public var description: String {
        let host = self.host.contains(":") ? "[\(self.host)]" : self.host
        return "postgres://\(self.user)@\(host):\(self.port)/\(self.database)"
    }
}

public struct StoreAddressError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: String) -> Substring {
        var text = self
        while let first = text.first, set.contains(first) { text = text.dropFirst() }
        while let last = text.last, set.contains(last) { text = text.dropLast() }
        return text
    }
}
