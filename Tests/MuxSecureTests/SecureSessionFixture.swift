import MuxCrypto
import MuxICE
import MuxSecure
import MuxTestSupport
import MuxWire
import Testing

/// One session's layers as the mux runs them, without the mux: the ICE-lite agent and the check responder,
/// then `SecureSession`, against the in-process DTLS peer, on a clock that moves only when the test says.
final class SecureSessionFixture {
    let start = ContinuousClock.now
    let credentials = ICECredentials.random()
    let tuple = FiveTuple(socket: SocketID(1), remote: TransportAddress(ip: .v4(0x7F00_0001), port: 5000))
    var agent: ICELiteAgent
    let session: SecureSession
    let peer: DTLSTestPeer
    private(set) var events: [SecureSessionEvent] = []
    /// The peer's SRTP contexts, made once the handshake connected, so their replay state carries on.
    private var srtp: SRTPSession?

    /// The fingerprint the peer signaled, as the session is told.
    enum Signaled {
        case nothing
        case peersCertificate
        case another
    }

    init(mediamuxIsServer: Bool = true, signaled: Signaled = .nothing, timeouts: ICETimeouts = ICETimeouts()) throws {
        self.agent = ICELiteAgent(timeouts: timeouts, now: self.start)
        self.peer = try DTLSTestPeer(role: mediamuxIsServer ? .client : .server)
        let fingerprint: [UInt8]? =
            switch signaled {
            case .nothing: nil
            case .peersCertificate: self.peer.certificate.sha256
            case .another: [UInt8](repeating: 7, count: 32)
            }
        self.session = try SecureSession(
            role: mediamuxIsServer ? .server : .client, dtls: DTLSContext(certificate: .generate()),
            remoteFingerprint: fingerprint, settings: MediaSettings(), consentConfirmationInterval: .seconds(1)
        )
    }

    /// The peer's connectivity check at `now`, verified and applied to the agent as the router does; true
    /// when it selected the tuple.
    @discardableResult
    func check(nominating: Bool, at now: ContinuousClock.Instant) throws -> Bool {
        let request = try STUNMessage(parsing: CheckRequest.make(for: self.credentials, useCandidate: nominating))
        let key = STUNIntegrityKey(password: self.credentials.password)
        guard
            case .accepted(_, let nominated) = ConnectivityCheck.respond(to: request, from: self.tuple.remote, key: key)
        else { return false }
        return self.agent.handleAuthenticatedCheck(on: self.tuple, nominated: nominated, now: now).selectionChanged
    }

    /// Hands the peer's queued datagrams to the session at `now`.
    func deliverPeer(at now: ContinuousClock.Instant) {
        while var datagram = self.peer.engine.pollDatagram() {
            _ = datagram.withUnsafeMutableBytes { self.session.handle($0, class: .dtls, now: now) }
        }
        self.takeEvents()
    }

    /// What the session wants sent, drained.
    func takeTransmits() -> [[UInt8]] {
        var transmits: [[UInt8]] = []
        while let datagram = self.session.pollTransmit() { transmits.append(datagram) }
        return transmits
    }

    /// Hands what the session queued to the peer, at `now`; returns how many datagrams went.
    @discardableResult
    func deliverSession(at now: ContinuousClock.Instant) -> Int {
        let transmits = self.takeTransmits()
        for datagram in transmits { datagram.withUnsafeBytes { _ = self.peer.engine.handle($0, now: now) } }
        return transmits.count
    }

    /// Moves datagrams both ways at `now` until neither side has more.
    func exchange(at now: ContinuousClock.Instant) {
        for _ in 0..<10 {
            self.deliverPeer(at: now)
            guard self.deliverSession(at: now) > 0 else { return }
        }
    }

    /// ICE selects the tuple, then the handshake runs to its end at `now`.
    func connect(at now: ContinuousClock.Instant) throws {
        try #require(try self.check(nominating: true, at: now))
        self.session.handlePathSelected(now: now)
        if self.peer.engine.role == .client { self.peer.engine.start(now: now) }
        self.exchange(at: now)
        self.takeEvents()
    }

    func timeout(at now: ContinuousClock.Instant) {
        self.session.handleTimeout(now: now)
        self.takeEvents()
    }

    func close(notifyPeer: Bool) {
        self.session.close(notifyPeer: notifyPeer)
        self.takeEvents()
    }

    private func takeEvents() {
        while let event = self.session.pollEvent() { self.events.append(event) }
    }

    func peerSRTP() throws -> SRTPSession {
        if let srtp = self.srtp { return srtp }
        let srtp = try self.peer.srtpSession()
        self.srtp = srtp
        return srtp
    }

    /// SRTP from the peer into the session at `now`: the receipt, and the plaintext when it decrypted.
    func receive(
        _ plain: [UInt8], isRTCP: Bool = false, at now: ContinuousClock.Instant
    ) throws -> (
        SecureReceipt, [UInt8]?
    ) {
        var secret = try #require(SRTPTestPacket.protect(plain, with: self.peerSRTP().outbound, isRTCP: isRTCP))
        let packetClass: PacketClass = isRTCP ? .rtcp : .rtp
        return secret.withUnsafeMutableBytes { buffer in
            let receipt = self.session.handle(buffer, class: packetClass, now: now)
            guard case .media(let length, _) = receipt else { return (receipt, nil) }
            return (receipt, Array(buffer.prefix(length)))
        }
    }

    /// `plain` protected by the session, as the peer decrypts it; nil when the session could not protect it.
    func send(_ plain: [UInt8]) throws -> [UInt8]? {
        var buffer = plain + [UInt8](repeating: 0, count: SRTPContext.maxTrailer)
        let result = buffer.withUnsafeMutableBytes { self.session.protect($0, length: plain.count, isRTCP: false) }
        guard case .success(let length) = result else { return nil }
        return try SRTPTestPacket.unprotect(Array(buffer.prefix(length)), with: self.peerSRTP().inbound).get()
    }
}
