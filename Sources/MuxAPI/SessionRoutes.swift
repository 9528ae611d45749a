import Foundation
import Hummingbird
import MuxCore
import MuxICE
import MuxIO
import MuxMedia
import MuxSDP
import MuxSessions
import MuxWire
import Synchronization

/// The `/v1` routes: create, read, list and delete sessions.
final class SessionRoutes: Sendable {
    let mux: SessionManager
    let fingerprint: Fingerprint
    /// Codecs an answer may keep; nil keeps every offered codec.
    let codecs: [String]?
    let allowedRTPSinks: [IPNetwork]
    /// By handler name: what the answer of such a session says about the SSRCs it sends.
    let answerSSRCMasks: [String: AnswerSSRCMask]
    let creations: Mutex<TokenBucket>
    let sdp = SDPWorker()

    init(
        mux: SessionManager, fingerprint: Fingerprint, codecs: [String]?, allowedRTPSinks: [IPNetwork],
        answerSSRCMasks: [String: AnswerSSRCMask], maxCreatesPerSecond: Double
    ) {
        self.mux = mux
        self.answerSSRCMasks = answerSSRCMasks
        self.fingerprint = fingerprint
        self.codecs = codecs
        self.allowedRTPSinks = allowedRTPSinks
        self.creations = Mutex(TokenBucket(rate: maxCreatesPerSecond, burst: maxCreatesPerSecond, now: .now))
    }

    func add(to router: Hummingbird.Router<BasicRequestContext>) {
        router.post("/v1/rooms/:room/sessions") { request, context in try await self.create(request, context) }
        router.get("/v1/rooms/:room/sessions") { _, context in try self.list(context) }
        router.get("/v1/rooms") { _, _ in self.rooms() }
        router.get("/v1/sessions/:id") { _, context in try self.get(context) }
        router.delete("/v1/sessions/:id") { _, context in try await self.delete(context) }
    }

    private func create(_ request: Request, _ context: BasicRequestContext) async throws -> EditedResponse<SessionDTO> {
        let room = try Self.room(context)
        let body = try await Self.decodeIfPresent(CreateSessionBody.self, request, context)
        let user = try body?.user.map { try Self.validName($0, field: "user") }
        var (remote, dtls) = try Self.remoteParameters(body?.remote)
        // An offer is checked by answering it before anything is created, so a bad one costs nothing.
        var offer: SessionDescription?
        if let text = body?.offer {
            let checked = try await self.sdp.run { try self.checkOffer(text) }
            (offer, remote, dtls) = (checked.offer, checked.remote, checked.dtls)
        }
        let rtpSink = try self.rtpSink(body)
        if let handler = body?.handler, !self.mux.hasHandler(named: handler) {
            throw Self.apiError(for: .unknownHandler(handler))
        }
        guard self.creations.withLock({ $0.take(now: .now) }) else {
            throw APIError(
                .tooManyRequests, code: "rate_limited", message: "too many session creations; retry shortly",
                headers: [.retryAfter: "1"])
        }
        do {
            let created = try await self.mux.createSession(
                SessionRequest(
                    room: room, user: user, handler: body?.handler, remote: remote, dtls: dtls, rtpSink: rtpSink)
            )
            var response = SessionDTO(created.snapshot, mux: self.mux, candidates: created.candidates)
            response.dtls = DTLSDTO(fingerprint: self.fingerprint.sdpValue, setup: dtls.isServer ? "passive" : "active")
            if let local = created.plainPort, let rtpSink {
                response.rtp = RTPDTO(local: "\(local)", sink: "\(rtpSink)")
            }
            if let offer {
                let credentials = created.snapshot.localCredentials
                let answerOptions = self.answerOptions(
                    ufrag: credentials.ufrag, password: credentials.password,
                    candidates: created.candidates.map(\.sdpValue),
                    returnedSSRCMask: self.answerSSRCMasks[created.snapshot.handler]?(created.snapshot.id)
                )
                // The same offer was answered before the session was made, so this cannot fail short of a
                // bug; if it does, the session goes rather than lingering without an answer.
                guard let answer = try? await self.sdp.run({ try Answer(to: offer, options: answerOptions) }) else {
                    _ = await self.mux.deleteSession(created.snapshot.id)
                    throw APIError(.internalServerError, code: "internal", message: "could not write the SDP answer")
                }
                response.answer = answer.sdp
            }
            return EditedResponse(
                status: .created, headers: [.location: "/v1/sessions/\(created.snapshot.id)"], response: response
            )
        } catch let error as SessionCreationError {
            throw Self.apiError(for: error)
        }
    }

    private func get(_ context: BasicRequestContext) throws -> SessionDTO {
        let id = try Self.sessionID(context)
        guard let snapshot = self.mux.snapshot(of: id) else {
            throw APIError.notFound("no session \(id)")
        }
        return SessionDTO(snapshot, mux: self.mux)
    }

    private func list(_ context: BasicRequestContext) throws -> SessionListDTO {
        let room = try Self.room(context)
        let sessions = self.mux.snapshots(inRoom: room)
        return SessionListDTO(sessions: sessions.map { SessionDTO($0, mux: self.mux) })
    }

    private func rooms() -> RoomListDTO {
        let rooms = self.mux.rooms().sorted { $0.key < $1.key }
        return RoomListDTO(rooms: rooms.map { RoomListDTO.Room(room: $0.key, sessions: $0.value) })
    }

    private func delete(_ context: BasicRequestContext) async throws -> HTTPResponse.Status {
        let id = try Self.sessionID(context)
        guard await self.mux.deleteSession(id) else { throw APIError.notFound("no live session \(id)") }
        return .noContent
    }

    // MARK: Input

    private static func sessionID(_ context: BasicRequestContext) throws -> SessionID {
        let text = try context.parameters.require("id")
        guard let id = SessionID(text) else { throw APIError.notFound("no session \(text)") }
        return id
    }

    /// The `rtp` handler needs a sink, which must lie in `rtp.allowed_sinks` (loopback by default) so the
    /// API cannot be used to send media to arbitrary hosts.
    private func rtpSink(_ body: CreateSessionBody?) throws -> TransportAddress? {
        guard body?.handler == "rtp" else {
            if body?.rtp != nil { throw APIError.badRequest("rtp.sink is only for the rtp handler") }
            return nil
        }
        guard let text = body?.rtp?.sink else {
            throw APIError.badRequest("the rtp handler needs rtp.sink, e.g. \"127.0.0.1:5004\"")
        }
        guard let sink = TransportAddress(text), sink.port != 0 else {
            throw APIError.badRequest("rtp.sink \"\(text)\" is not address:port")
        }
        guard self.allowedRTPSinks.contains(where: { $0.contains(sink.ip) }) else {
            throw APIError.badRequest("rtp.sink \(sink) is outside rtp.allowed_sinks")
        }
        return sink
    }

    /// Parses the offer and answers it with placeholder credentials; what the offer says about the peer
    /// replaces `remote`. Errors name the problem for the 400.
    private func checkOffer(
        _ text: String
    ) throws -> (offer: SessionDescription, remote: ICECredentials, dtls: DTLSParameters) {
        let offer: SessionDescription
        let trial: Answer
        do {
            offer = try SessionDescription(parsing: text)
            trial = try Answer(
                to: offer,
                options: self.answerOptions(ufrag: "check", password: String(repeating: "x", count: 24), candidates: [])
            )
        } catch {
            throw APIError.badRequest("offer: \(error)")
        }
        // The same rules as remote.ufrag and remote.pwd: the ufrag ends up in every STUN USERNAME.
        guard ICECredentials.isValid(ufrag: trial.remote.iceUfrag) else {
            throw APIError.badRequest("offer: a=ice-ufrag must be 4 to 256 ice-chars (RFC 8839)")
        }
        guard ICECredentials.isValid(password: trial.remote.icePwd) else {
            throw APIError.badRequest("offer: a=ice-pwd must be 22 to 256 ice-chars (RFC 8839)")
        }
        let remote = ICECredentials(ufrag: trial.remote.iceUfrag, password: trial.remote.icePwd)
        // MuxSDP keeps only the fingerprints the DTLS layer can compare (SHA-256), and refuses an offer without one.
        let dtls = DTLSParameters(
            isServer: trial.dtlsRole == .server, remoteFingerprint: trial.remote.fingerprint.digest)
        return (offer, remote, dtls)
    }

    private func answerOptions(
        ufrag: String, password: String, candidates: [String], returnedSSRCMask: UInt32? = nil
    ) -> AnswerOptions {
        AnswerOptions(
            iceUfrag: ufrag, icePwd: password, fingerprint: self.fingerprint, candidates: candidates,
            direction: .sendrecv, codecs: self.codecs, returnedSSRCMask: returnedSSRCMask
        )
    }

    /// The peer's ICE credentials and DTLS parameters from `remote`, each checked.
    static func remoteParameters(_ remote: CreateSessionBody.Remote?) throws -> (ICECredentials?, DTLSParameters) {
        var credentials: ICECredentials?
        if let ufrag = remote?.ufrag, let password = remote?.pwd {
            guard ICECredentials.isValid(ufrag: ufrag) else {
                throw APIError.badRequest("remote.ufrag must be 4 to 256 ice-chars (RFC 8839)")
            }
            guard ICECredentials.isValid(password: password) else {
                throw APIError.badRequest("remote.pwd must be 22 to 256 ice-chars (RFC 8839)")
            }
            credentials = ICECredentials(ufrag: ufrag, password: password)
        } else if remote?.ufrag != nil || remote?.pwd != nil {
            throw APIError.badRequest("remote.ufrag and remote.pwd come together")
        }
        var dtls = DTLSParameters()
        switch remote?.setup {
        case nil, "actpass", "active": dtls.isServer = true
        case "passive": dtls.isServer = false
        case let other?: throw APIError.badRequest("remote.setup \"\(other)\" is not actpass, active or passive")
        }
        if let text = remote?.fingerprint {
            // "sha-256 AB:CD:…" as in SDP, or the bare hex.
            let fingerprint = Fingerprint(sdpValue: text) ?? Fingerprint.bytes(hex: text).map { Fingerprint.sha256($0) }
            guard let fingerprint, fingerprint.algorithmName.lowercased() == "sha-256", fingerprint.digest.count == 32
            else {
                throw APIError.badRequest(
                    "remote.fingerprint must be a SHA-256 fingerprint such as \"sha-256 AB:CD:…\" (32 bytes)")
            }
            dtls.remoteFingerprint = fingerprint.digest
        }
        return (credentials, dtls)
    }

    /// The room as the path spells it, percent-decoded: /demo encodes `:` and `@`, which names may hold.
    static func room(_ context: BasicRequestContext) throws -> String {
        let raw = try context.parameters.require("room")
        guard let decoded = raw.removingPercentEncoding else {
            throw APIError.badRequest("room \"\(raw)\" is not valid percent-encoding")
        }
        return try Self.validName(decoded, field: "room")
    }

    /// Room and user names: 1 to 128 characters of letters, digits and `-_.~:@`.
    static func validName(_ name: String, field: String) throws -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~:@")
        guard (1...128).contains(name.count), name.allSatisfy({ allowed.contains($0) }) else {
            throw APIError.badRequest("\(field) must be 1 to 128 characters of letters, digits and -_.~:@")
        }
        return name
    }

    /// An empty body means "all defaults"; anything else must be valid JSON.
    static func decodeIfPresent<T: Decodable>(
        _: T.Type, _ request: Request, _ context: BasicRequestContext
    ) async throws -> T? {
        var request = request
        let body = try await request.collectBody(upTo: HTTPLimits.maxBodyBytes)
        if body.readableBytesView.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return nil }
        return try await request.decode(as: T.self, context: context)
    }

    static func apiError(for error: SessionCreationError) -> APIError {
        switch error {
        case .unknownHandler(let name):
            return APIError.badRequest("unknown handler \"\(name)\"")
        case .refused(let refusal):
            let (status, message): (HTTPResponse.Status, String) =
                switch refusal {
                case .roomFull: (.conflict, "the room has max_sessions_per_room sessions")
                case .userLimit: (.conflict, "the user has max_sessions_per_user sessions")
                case .capacity: (.serviceUnavailable, "the server has max_sessions_total sessions")
                case .portsExhausted: (.serviceUnavailable, "every port of the UDP range is in use")
                case .shuttingDown: (.serviceUnavailable, "the server is shutting down")
                case .unavailable: (.serviceUnavailable, "the admission store cannot be reached; nothing was admitted")
                }
            return APIError(status, code: refusal.rawValue, message: message)
        }
    }
}
