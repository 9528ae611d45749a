import Dispatch
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import MuxAPI
import MuxWire
import NIOCore

// Create-session bodies through the whole API, as a signaling server sends them over HTTP on loopback:
// the connection limits, the HTTP parser, the router, the auth middleware, JSON decoding, validation, the
// offer's answer and the mux behind it (real UDP sockets). Whatever the body says, the answer is never a
// 500, and a 201 has an id and is deleted again. The test client's live mode, not its router mode: the
// router mode grew by about 8 KB per request (in HummingbirdTesting; the server over HTTP stays flat).

/// Hummingbird's test client lives inside a closure, so one task runs it and takes bodies from a queue.
final class APIRunner: @unchecked Sendable {
    typealias Job = (body: ByteBuffer, done: @Sendable (HTTPResponse.Status, ByteBuffer) -> Void)
    private let jobs: AsyncStream<Job>
    private let submit: AsyncStream<Job>.Continuation

    init() {
        (self.jobs, self.submit) = AsyncStream.makeStream(of: Job.self)
        let jobs = self.jobs
        Thread.detachNewThread {
            let finished = DispatchSemaphore(value: 0)
            Task {
                do {
                    try await Self.serve(jobs)
                } catch {
                    fatalError("the API under test stopped: \(error)")
                }
                finished.signal()
            }
            finished.wait()
        }
    }

    private static func serve(_ jobs: AsyncStream<Job>) async throws {
        var settings = AppSettings()
        settings.mux.udp.bindAddresses = [IPAddress("127.0.0.1")!]
        settings.mux.udp.port = 0
        settings.mux.udp.receiveBufferBytes = 1 << 20
        settings.mux.limits.maxSessionsTotal = 100_000
        settings.api.port = 0
        settings.api.token = "fuzz"
        settings.api.maxCreatesPerSecond = 1_000_000
        var logger = Logger(label: "fuzz-api")
        logger.logLevel = .critical
        let app = try await MediamuxApp.build(settings: settings, logger: logger)
        try await app.api.test(.live) { client in
            for await job in jobs {
                let response = try await client.execute(
                    uri: "/v1/rooms/fuzz/sessions", method: .post, headers: [.authorization: "Bearer fuzz"],
                    body: job.body
                )
                job.done(response.status, response.body)
                guard response.status == .created else { continue }
                let created =
                    try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]
                let id = created?["id"] as? String ?? ""
                let deleted = try await client.execute(
                    uri: "/v1/sessions/\(id)", method: .delete, headers: [.authorization: "Bearer fuzz"])
                precondition(
                    deleted.status == .noContent, "a created session \(id) could not be deleted: \(deleted.status)")
            }
        }
    }

    func post(_ body: ByteBuffer) -> (HTTPResponse.Status, ByteBuffer) {
        let answered = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: (HTTPResponse.Status, ByteBuffer)?
        self.submit.yield(
            (
                body,
                { status, body in
                    result = (status, body)
                    answered.signal()
                }
            ))
        answered.wait()
        return result!
    }
}

let runner = APIRunner()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAPI(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let (status, body) = runner.post(ByteBuffer(bytes: UnsafeBufferPointer(start: data, count: size)))
    precondition(status != .internalServerError, "500 for a body: \(String(buffer: body))")
    return 0
}
