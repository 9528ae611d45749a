import MuxCluster
import MuxIO
import MuxMedia
import MuxSecure
import MuxSessions

/// Everything mediamux is configured with, after files, environment and flags were merged and checked.
public struct AppSettings: Sendable {
    public var mux = MuxSettings()
    public var api = APISettings()
    public var media = MediaSettings()
    /// PEM files of the DTLS certificate and its key; both nil generates a fresh ECDSA P-256 one at start.
    public var certificatePath: String?
    public var privateKeyPath: String?
    /// Codec names SDP answers may keep (e.g. opus, VP8); nil keeps what the offer has.
    public var codecs: [String]?
    /// Several nodes as one service, through a shared store; nil is one node with everything in memory.
    public var cluster: ClusterSettings?
    /// How long a draining cluster node (SIGTERM, or `POST /v1/cluster/nodes/{id}/drain`) lets its sessions
    /// go on before it closes them.
    public var drainTimeout: Duration = .seconds(30)

    public init() {}
}
