import Hummingbird
import MuxCore
import MuxICE
import MuxIO
import MuxSessions

/// Body of `POST /v1/rooms/{room}/sessions`; every field is optional.
struct CreateSessionBody: Decodable {
    /// What the signaling server knows of the peer when it writes SDP itself; every field optional.
    struct Remote: Decodable {
        let ufrag: String?
        let pwd: String?
        /// `sha-256 AB:CD:…` or just `AB:CD:…`.
        let fingerprint: String?
        /// The peer's `a=setup`: `actpass` (default) or `active` make mediamux passive; `passive` makes it active.
        let setup: String?
    }

    let user: String?
    let handler: String?
    let remote: Remote?
    /// The browser's SDP offer; the response then carries the answer.
    let offer: String?
    /// For the `rtp` handler: where decrypted RTP goes.
    let rtp: RTPBridge?

    struct RTPBridge: Decodable {
        let sink: String
    }
}

/// The `rtp` handler's plain ports: the tool listens on `sink` and sends to `local`.
struct RTPDTO: Encodable {
    let local: String
    let sink: String
}

/// mediamux's side of DTLS, for the signaling server's SDP.
struct DTLSDTO: Encodable {
    let fingerprint: String
    let setup: String
}

struct TupleDTO: Encodable {
    let local: String
    let remote: String
    /// `udp`, or `tcp` for an ICE-TCP connection.
    let transport: String
}

struct TrafficDTO: Encodable {
    let packetsIn: Int
    let bytesIn: Int
    let packetsOut: Int
    let bytesOut: Int

    enum CodingKeys: String, CodingKey {
        case packetsIn = "packets_in", bytesIn = "bytes_in", packetsOut = "packets_out", bytesOut = "bytes_out"
    }
}

struct ICEDTO: Encodable {
    let ufrag: String
    let pwd: String?
    let lite: Bool
    let state: String
    let candidates: [String]?
}

/// A session as the API shows it. `ice.pwd` and `ice.candidates` are only in the creation response.
struct SessionDTO: ResponseEncodable {
    let id: String
    let room: String
    let user: String?
    let handler: String
    let state: String
    let closeReason: String?
    let ice: ICEDTO
    let tuples: [TupleDTO]
    let selected: TupleDTO?
    let counters: TrafficDTO
    let ageSeconds: Double
    var dtls: DTLSDTO?
    var answer: String?
    var rtp: RTPDTO?

    enum CodingKeys: String, CodingKey {
        case id, room, user, handler, state, ice, tuples, selected, counters, dtls, answer, rtp
        case closeReason = "close_reason", ageSeconds = "age_seconds"
    }

    init(_ snapshot: SessionSnapshot, mux: SessionManager, candidates: [HostCandidate]? = nil) {
        func describe(_ tuple: FiveTuple) -> TupleDTO {
            TupleDTO(
                local: mux.transport.localAddress(of: tuple.socket).map { "\($0)" } ?? "closed",
                remote: "\(tuple.remote)", transport: tuple.socket.isStream ? "tcp" : "udp")
        }
        self.id = "\(snapshot.id)"
        self.room = snapshot.room
        self.user = snapshot.user
        self.handler = snapshot.handler
        self.state = snapshot.state.rawValue
        self.closeReason = snapshot.closeReason?.rawValue
        self.ice = ICEDTO(
            ufrag: snapshot.localCredentials.ufrag, pwd: candidates == nil ? nil : snapshot.localCredentials.password,
            lite: true, state: snapshot.iceState.rawValue, candidates: candidates?.map(\.sdpValue)
        )
        self.tuples = snapshot.tuples.map(describe)
        self.selected = snapshot.selected.map(describe)
        self.counters = TrafficDTO(
            packetsIn: snapshot.traffic.packetsIn, bytesIn: snapshot.traffic.bytesIn,
            packetsOut: snapshot.traffic.packetsOut, bytesOut: snapshot.traffic.bytesOut
        )
        let age = snapshot.age.components
        self.ageSeconds = Double(age.seconds) + Double(age.attoseconds) / 1e18
    }
}

struct SessionListDTO: ResponseEncodable {
    let sessions: [SessionDTO]
}

struct RoomListDTO: ResponseEncodable {
    struct Room: Encodable {
        let room: String
        let sessions: Int
    }

    let rooms: [Room]
}
