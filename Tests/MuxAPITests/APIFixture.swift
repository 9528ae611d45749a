import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import MuxAPI
import MuxCore
import MuxICE
import MuxMedia
import MuxTestSupport
import MuxWire
import NIOCore
import Testing

/// The whole app (real UDP sockets on loopback port 0) with its API driven by Hummingbird's test client.
struct APIFixture {
    static let token = "test-token"

    static func withApp(_ body: @Sendable (any TestClientProtocol, MediamuxApp) async throws -> Void) async throws {
        try await self.withApp(configuring: { _ in }, body)
    }

    static func withApp(
        configuring configure: (inout AppSettings) -> Void, admission: (any AdmissionStore)? = nil,
        handlers: [String: SessionHandlerFactory] = [:], mediaHandlers: [String: MediaHandlerFactory] = [:],
        answerSSRCMasks: [String: AnswerSSRCMask] = [:],
        _ body: @Sendable (any TestClientProtocol, MediamuxApp) async throws -> Void
    ) async throws {
        var settings = AppSettings()
        settings.mux.udp.bindAddresses = [IPAddress("127.0.0.1")!]
        settings.mux.udp.port = 0
        settings.mux.udp.receiveBufferBytes = 1 << 20
        settings.api.port = 0
        settings.api.token = Self.token
        configure(&settings)
        var logger = Logger(label: "api-test")
        logger.logLevel = .warning
        let app = try await MediamuxApp.build(
            settings: settings, logger: logger, admission: admission, handlers: handlers, mediaHandlers: mediaHandlers,
            answerSSRCMasks: answerSSRCMasks)
        do {
            try await app.api.test(.router) { client in try await body(client, app) }
        } catch {
            await app.mux.shutdown()
            throw error
        }
        await app.mux.shutdown()
    }
}

extension TestClientProtocol {
    func call(
        _ method: HTTPRequest.Method, _ uri: String, json: String? = nil, token: String? = APIFixture.token
    ) async throws -> (status: HTTPResponse.Status, json: [String: Any]) {
        var headers: HTTPFields = [:]
        if let token { headers[.authorization] = "Bearer \(token)" }
        let response = try await self.execute(
            uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) })
        let body =
            response.body.readableBytes == 0
            ? [:]
            : (try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any] ?? [:])
        return (response.status, body)
    }

    func metrics(token: String? = nil) async throws -> String {
        var headers: HTTPFields = [:]
        if let token { headers[.authorization] = "Bearer \(token)" }
        let response = try await self.execute(uri: "/metrics", method: .get, headers: headers)
        return String(buffer: response.body)
    }
}

extension MediamuxApp {
    /// The peer's side of ICE for a session the API created: a nominating check with the credentials of the
    /// create response, from a socket of its own to the single port, and its answer. Returns the socket and
    /// the port for the rest of the test.
    func connectICE(
        created json: [String: Any]
    ) throws -> (socket: UDPTestClient, server: TransportAddress) {
        let ice = try #require(json["ice"] as? [String: Any])
        let credentials = ICECredentials(
            ufrag: try #require(ice["ufrag"] as? String), password: try #require(ice["pwd"] as? String))
        let server = try #require(self.mux.singlePortAddresses.first)
        let socket = try UDPTestClient()
        try #require(socket.exchange(CheckRequest.make(for: credentials, useCandidate: true), with: server) != nil)
        return (socket, server)
    }
}

extension [String: Any] {
    var errorCode: String? { (self["error"] as? [String: Any])?["code"] as? String }
    var errorMessage: String? { (self["error"] as? [String: Any])?["message"] as? String }
}
