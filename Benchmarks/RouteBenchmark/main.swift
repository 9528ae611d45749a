import CoreMetrics
import MallocInterposerSwift
import MuxCore
import MuxICE
import MuxTestSupport
import MuxWire

#if canImport(Glibc)
import Glibc
#endif

// Per-packet cost of the routing path of connected sessions (classify, look up the session by 5-tuple,
// count, hand to the handler) and of answering a connectivity check, each with its allocation count.
// The reference is the least any router must do: classify and one hash lookup of the 5-tuple.
// Ratios, not absolute numbers, are what compare across machines.

let sessionCount = 1_000
let iterations = 1_000_000
/// The steady-state media path may not allocate at all; `make bench` fails if it does.
let mediaPathAllocationBudget = 0.0

MallocInterposerSwift.initialize()
guard Measurement.interposerIsActive else {
    print("the malloc interposer is not loaded: run through `make bench` (LD_PRELOAD)")
    exit(2)
}

let router = SessionRouter(timeouts: ICETimeouts(), rateLimit: .init(), metrics: CoreMetrics(factory: NOOPMetricsHandler.instance))
let start = ContinuousClock.now
var tuples: [FiveTuple] = []
var credentialsList: [ICECredentials] = []
for index in 0..<sessionCount {
    let credentials = ICECredentials.random()
    let session = NewSession(
        id: .random(), ticket: AdmissionTicket(room: "room\(index % 50)", user: nil), handlerName: "discard",
        credentials: credentials, handler: DiscardHandler(), counters: SessionCounters()
    )
    precondition(router.insert(session, now: start) == .inserted)
    let tuple = FiveTuple(socket: SocketID(1), remote: TransportAddress(ip: .v4(0x0A00_0000 + UInt32(index)), port: 40_000))
    let check = CheckRequest.make(for: credentials, useCandidate: true)
    guard case .reply(_, refused: nil) = check.withUnsafeBytes({ router.route($0, class: .stun, on: tuple, now: start) }) else {
        fatalError("session \(index) did not connect")
    }
    tuples.append(tuple)
    credentialsList.append(credentials)
}

let rtp = CheckRequest.rtp + [UInt8](repeating: 0x55, count: 1200 - CheckRequest.rtp.count)
let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: rtp.count, alignment: 16)
buffer.copyBytes(from: rtp)
let reference: [FiveTuple: Int] = Dictionary(uniqueKeysWithValues: tuples.enumerated().map { ($1, $0) })
var sink = 0

let referenceRun = Measurement.run("reference: classify + one 5-tuple hash lookup", iterations: iterations) { index in
    rtp.withUnsafeBytes { bytes in
        let packetClass = PacketClass(datagram: bytes)
        sink &+= (reference[tuples[index % sessionCount]] ?? 0) &+ Int(packetClass.rawValue)
    }
}

let routeRun = Measurement.run("route RTP of a connected session to its handler", iterations: iterations) { index in
    let tuple = tuples[index % sessionCount]
    let bytes = UnsafeRawBufferPointer(buffer)
    let decision = router.route(bytes, class: PacketClass(datagram: bytes), on: tuple, now: start)
    if case .deliver(let handler) = decision {
        handler.handleDatagram(buffer, class: .rtp, from: tuple, now: start)
    } else {
        fatalError("media was not delivered")
    }
}

let checks = (0..<sessionCount).map { CheckRequest.make(for: credentialsList[$0]) }
let checkRun = Measurement.run("answer a consent check (parse, HMAC-SHA1 verify, build response)", iterations: iterations / 20) { index in
    let session = index % sessionCount
    let decision = checks[session].withUnsafeBytes { router.route($0, class: .stun, on: tuples[session], now: start) }
    if case .reply(let response, nil) = decision { sink &+= response.count } else { fatalError("check refused") }
}

func cpuModel() -> String {
    guard let file = fopen("/proc/cpuinfo", "r") else { return "unknown CPU" }
    defer { fclose(file) }
    var line = [CChar](repeating: 0, count: 512)
    while fgets(&line, Int32(line.count), file) != nil {
        let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if text.hasPrefix("model name") { return text.split(separator: ":", maxSplits: 1)[1].trimmingPrefix(" ").trimmingSuffixNewline() }
    }
    return "unknown CPU"
}

extension Substring {
    func trimmingSuffixNewline() -> String { String(self.hasSuffix("\n") ? self.dropLast() : self) }
}

func format(_ value: Double, digits: Int = 1) -> String {
    let scale = pow(10.0, Double(digits))
    return "\((value * scale).rounded() / scale)"
}

print("""
| operation | ns per op (median of 5) | ratio to reference | allocations per op |
|---|---:|---:|---:|
""")
for run in [referenceRun, routeRun, checkRun] {
    let ratio = run.nanosecondsPerOperation / referenceRun.nanosecondsPerOperation
    print("| \(run.name) | \(format(run.nanosecondsPerOperation)) | \(format(ratio, digits: 2)) | \(format(run.allocationsPerOperation, digits: 3)) |")
}
print("")
print("Measured on \(cpuModel()), \(sysconf(Int32(_SC_NPROCESSORS_ONLN))) cores; \(sessionCount) connected sessions, 1200-byte RTP, \(iterations) packets per run.")
if sink == 42 { print("") }

if routeRun.allocationsPerOperation > mediaPathAllocationBudget {
    print("FAIL: the media routing path allocates \(routeRun.allocationsPerOperation) times per packet (budget \(mediaPathAllocationBudget))")
    exit(1)
}
