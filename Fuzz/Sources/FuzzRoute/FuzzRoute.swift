import CoreMetrics
import FuzzSupport
import MuxCore
import MuxICE
import MuxWire

/// Takes what the router delivers and drops it.
final class Sink: SessionHandler {
    func handleDatagram(
        _ datagram: UnsafeMutableRawBufferPointer, class packetClass: PacketClass, from tuple: FiveTuple,
        now: ContinuousClock.Instant
    ) {}
    func handleClose(reason: CloseReason) {}
}

/// One router with one live session, for the whole run: state carries over between inputs, as it does
/// between datagrams.
let router: SessionRouter = {
    let router = SessionRouter(
        timeouts: ICETimeouts(), rateLimit: .init(ratePerSecond: 1_000_000, burst: 1_000_000),
        metrics: CoreMetrics(factory: NOOPMetricsHandler.instance)
    )
    let session = NewSession(
        ticket: AdmissionTicket(session: .random(), node: "test", room: "fuzz", user: nil), handlerName: "sink",
        credentials: FuzzCredentials.ice, handler: Sink(), counters: SessionCounters()
    )
    precondition(router.insert(session, now: .now) == .inserted)
    return router
}()

let tuple = FiveTuple(socket: SocketID(1), remote: FuzzCredentials.source)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRoute(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let datagram = UnsafeRawBufferPointer(start: data, count: size)
    let packetClass = PacketClass(datagram: datagram)
    if case .reply(let response, let refused?) = router.route(datagram, class: packetClass, on: tuple, now: .now),
        refused == .badIntegrity || refused == .missingAttribute
    {
        // An unauthenticated peer never gets more bytes back than it sent, except a 400 carrying integrity.
        let parsed = try? STUNMessage(parsing: response)
        precondition(response.count <= size || parsed?.hasMessageIntegrity == true)
    }
    return 0
}
