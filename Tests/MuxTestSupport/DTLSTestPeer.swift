import MuxCrypto

/// The DTLS peer of the tests, the load generator and the benchmarks: one engine and the handshake loop
/// each of them needs, over whatever carries its datagrams (a socket, or a handler called in process).
public final class DTLSTestPeer {
    public let certificate: DTLSCertificate
    public let engine: DTLSEngine

    /// A peer with a certificate of its own.
    public convenience init(role: DTLSRole) throws {
        try self.init(role: role, context: DTLSContext(certificate: DTLSCertificate.generate()))
    }

    /// A peer on a shared context, as the load generator makes thousands.
    public init(role: DTLSRole, context: DTLSContext) throws {
        self.certificate = context.certificate
        self.engine = try DTLSEngine(context: context, role: role)
    }

    /// Runs the handshake until it connects, fails or `timeout` passes, on the system's clock. `send` carries a
    /// datagram to the other side; `receive` waits up to the time it is given for the next one from it.
    /// A client starts it; a server waits for the ClientHello.
    public func handshake(
        timeout: Duration, send: ([UInt8]) -> Void, receive: (Duration) -> [UInt8]?
    ) -> DTLSEngine.State {
        let deadline = ContinuousClock.now + timeout
        if self.engine.role == .client { self.engine.start(now: .now) }
        while true {
            while let datagram = self.engine.pollDatagram() { send(datagram) }
            let now = ContinuousClock.now
            guard self.engine.state == .handshaking, now < deadline else { return self.engine.state }
            let wake = min(self.engine.pollTimeout() ?? deadline, deadline)
            if let datagram = receive(max(wake - now, .zero)) {
                datagram.withUnsafeBytes { _ = self.engine.handle($0, now: .now) }
            } else {
                self.engine.handleTimeout(now: .now)
            }
        }
    }

    /// The SRTP contexts of a connected handshake.
    public func srtpSession() throws -> SRTPSession {
        guard let keys = self.engine.srtpKeys() else { throw TestError("the handshake negotiated no SRTP profile") }
        return try SRTPSession(keys: keys, role: self.engine.role)
    }
}
