import Benchmark
import BenchmarkSupport
import MuxCore
import MuxWire

// Per-packet cost of the routing path of a connected session among 1,000 (classify, look up the session by
// 5-tuple, count, hand to the handler), of the least any router must do (the reference), and of answering a
// consent check. Compare the route with the reference of the same run: absolute times on a shared 2-core VM
// move by about 25 % from run to run.
//
// `swift package benchmark thresholds check` fails when the route or the reference allocates at all
// (Thresholds/Routing.*.p90.json hold 0 for mallocCountTotal, and the tolerance here is 0).

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = Measured.perPacket

    let sessions = ConnectedSessions(count: 1_000)
    let tuples = sessions.tuples
    let rtp = RTPPacket.bytes
    // The I/O thread's receive buffer, which a handler may rewrite in place.
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: rtp.count, alignment: 16)
    buffer.copyBytes(from: rtp)

    // Names have no spaces: benchmark 1.38.1 writes a threshold file with '_' for ' ' but reads it by the name.

    // The least any router must do: classify the first byte and look the 5-tuple up in a Dictionary.
    // Each iteration sends one packet for every session, 1,000 packets; results are per packet.
    Benchmark("Reference-classify-lookup") { benchmark in
        let reference = sessions.reference
        for index in benchmark.scaledIterations {
            rtp.withUnsafeBytes { bytes in
                let packetClass = PacketClass(datagram: bytes)
                blackHole((reference[tuples[index]] ?? 0) &+ Int(packetClass.rawValue))
            }
        }
    }

    // mediamux's steady-state path, as a packet thread runs it: PacketClass, the thread's own copy of the
    // 5-tuple index (`MediaRouteCache`: one lookup, one atomic load of the session's route version, no lock),
    // the session's atomic counters, and the call into its handler (DiscardHandler). The cache is warmed first,
    // as a thread's is once its sessions sent their first packet.
    var routes = MediaRouteCache()
    for tuple in tuples { _ = routes.route(bytes: rtp.count, on: tuple, router: sessions.router) }
    Benchmark("Route-RTP-1200B") { benchmark in
        let router = sessions.router
        let now = sessions.now
        for index in benchmark.scaledIterations {
            let tuple = tuples[index]
            let bytes = UnsafeRawBufferPointer(buffer)
            let packetClass = PacketClass(datagram: bytes)
            let decision = routes.route(bytes: bytes.count, on: tuple, router: router)
            guard case .deliver(let handler) = decision else { fatalError("media was not delivered: \(decision)") }
            handler.handleDatagram(buffer, class: packetClass, from: tuple, now: now)
        }
    }

    // A consent check from a bound address: STUN parse, FINGERPRINT, MESSAGE-INTEGRITY (HMAC-SHA1), the response.
    // It costs about 100 packets, so one check per iteration; allocations here are expected.
    var nextSession = 0
    Benchmark(
        "Consent-check",
        configuration: .init(scalingFactor: .one, maxIterations: 20_000)
    ) { benchmark in
        let session = nextSession
        nextSession = (nextSession + 1) % tuples.count
        let decision = sessions.consentChecks[session].withUnsafeBytes {
            sessions.router.route($0, class: .stun, on: tuples[session], now: sessions.now)
        }
        guard case .reply(let response, refused: nil) = decision else { fatalError("check refused: \(decision)") }
        blackHole(response)
    }
}
