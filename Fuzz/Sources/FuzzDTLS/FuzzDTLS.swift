import MuxCrypto

/// The engines' clock stands still: the fuzzer explores records, not timers.
let now = ContinuousClock.now

/// A connected pair, made once (libFuzzer calls from one thread): the fuzzer plays an attacker who can send anything from the client's
/// address but does not have its keys.
nonisolated(unsafe) let connected: DTLSEngine = {
    let server = try! DTLSEngine(context: DTLSContext(certificate: DTLSCertificate.generate()), role: .server)
    let client = try! DTLSEngine(context: DTLSContext(certificate: DTLSCertificate.generate()), role: .client)
    client.start(now: now)
    for _ in 0..<10 {
        while let datagram = client.pollDatagram() { datagram.withUnsafeBytes { _ = server.handle($0, now: now) } }
        while let datagram = server.pollDatagram() { datagram.withUnsafeBytes { _ = client.handle($0, now: now) } }
    }
    precondition(server.state == .connected && client.state == .connected)
    return server
}()

let context = try! DTLSContext(certificate: DTLSCertificate.generate())

/// The first byte picks the engine: even, the connected one, which nothing without the keys may end;
/// odd, a new server, which parses the input as the start of a handshake.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDTLS(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let datagram = UnsafeRawBufferPointer(start: data + 1, count: size - 1)
    if data[0] & 1 == 0 {
        let state = connected.handle(datagram, now: now)
        precondition(state == .connected, "a forged datagram ended a connected association: \(state)")
        precondition(connected.discardedLastDatagram || connected.pollDatagram() != nil)
    } else {
        let fresh = try! DTLSEngine(context: context, role: .server)
        _ = fresh.handle(datagram, now: now)
        while fresh.pollDatagram() != nil {}
    }
    return 0
}
