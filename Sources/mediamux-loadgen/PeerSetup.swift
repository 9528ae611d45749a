import MuxCrypto
import MuxICE
import MuxTestSupport
import MuxWire

/// Connects one peer the way a browser would after signaling: a nominating ICE check, then a DTLS
/// handshake as client, then SRTP keys from the DTLS exporter. Blocking, with a deadline per step.
struct PeerSetup: Sendable {
    enum Stage: String, CaseIterable, Codable {
        case api, ice, dtls
    }

    struct Failure: Error {
        let stage: Stage
        let detail: String
    }

    let api: APIClient?
    let dtls: DTLSContext
    let fingerprint: String
    let source: IPAddress
    /// Overrides the session's candidate (e.g. to reach a 1:1-NAT-announced server from inside).
    let server: TransportAddress?
    let handler: String
    /// ICE-TCP to the session's TCP candidate instead of UDP.
    let overTCP: Bool

    func connect(index: UInt32, room: String) throws(Failure) -> Peer {
        guard let api else { preconditionFailure("setup needs the API") }
        let created: APIClient.CreatedSession
        do {
            created = try api.createSession(
                room: room, user: "lg-\(index)", handler: self.handler, fingerprint: self.fingerprint,
                overTCP: self.overTCP)
        } catch {
            throw Failure(stage: .api, detail: "\(error)")
        }
        do {
            let socket = try PeerSocket(
                source: self.source, server: self.server ?? created.candidate, stream: self.overTCP)
            try Self.checkConnectivity(socket, ufrag: created.ufrag, password: created.password)
            let keys = try Self.handshake(DTLSTestPeer(role: .client, context: self.dtls), over: socket)
            let srtp: SRTPSession
            do {
                srtp = try SRTPSession(keys: keys, role: .client)
            } catch {
                throw Failure(stage: .dtls, detail: "\(error)")
            }
            // A browser's SRTP and SRTCP start as soon as DTLS is done; so do this peer's.
            ReceiverReport.send(over: socket, srtp: srtp, ssrc: index)
            return Peer(
                index: index, socket: socket, srtp: srtp, sessionID: created.id, ice: (created.ufrag, created.password))
        } catch let failure as Failure {
            api.deleteSession(created.id)
            throw failure
        } catch {
            api.deleteSession(created.id)
            throw Failure(stage: .ice, detail: "\(error)")
        }
    }

    /// A nominating check, retried as ICE does (RFC 8445 retransmits at growing intervals) until answered.
    private static func checkConnectivity(_ socket: PeerSocket, ufrag: String, password: String) throws(Failure) {
        let transaction = STUNTransactionID.random()
        let check = ControllingCheck.make(
            ufrag: ufrag, password: password, peerUfrag: "loadgen", nominate: true, transactionID: transaction)
        var buffer = [UInt8](repeating: 0, count: 2048)
        for wait in [100, 200, 400, 800, 1600] {
            socket.send(check)
            let deadline = ContinuousClock.now + .milliseconds(wait)
            while socket.waitReadable(timeout: deadline - .now) {
                let length = buffer.withUnsafeMutableBytes { socket.receive(into: $0) } ?? 0
                let response = buffer.withUnsafeBytes {
                    try? STUNMessage(parsing: UnsafeRawBufferPointer(rebasing: $0.prefix(length)))
                }
                if let response, response.transactionID == transaction {
                    guard response.type == .bindingSuccess else {
                        throw Failure(stage: .ice, detail: "the check was refused")
                    }
                    return
                }
            }
        }
        throw Failure(stage: .ice, detail: "no answer to the connectivity check")
    }

    private static func handshake(_ peer: DTLSTestPeer, over socket: PeerSocket) throws(Failure) -> SRTPKeyMaterial {
        var buffer = [UInt8](repeating: 0, count: 2048)
        let state = peer.handshake(timeout: .seconds(10), send: { socket.send($0) }) { wait in
            guard socket.waitReadable(timeout: wait) else { return nil }
            while let length = buffer.withUnsafeMutableBytes({ socket.receive(into: $0) }) {
                // Late STUN answers to retransmitted checks may still arrive: only DTLS goes to the engine.
                if length > 0, (20...63).contains(buffer[0]) { return Array(buffer.prefix(length)) }
            }
            return nil
        }
        switch state {
        case .handshaking:
            throw Failure(stage: .dtls, detail: "no handshake within 10 s")
        case .connected:
            guard let keys = peer.engine.srtpKeys() else {
                throw Failure(stage: .dtls, detail: "no SRTP profile negotiated")
            }
            return keys
        case .failed(let reason):
            throw Failure(stage: .dtls, detail: reason)
        case .closed:
            throw Failure(stage: .dtls, detail: "the server closed the association")
        }
    }
}
