import AsyncHTTPClient
import Foundation
import Hummingbird
import MuxCluster
import MuxCore
import MuxSessions
import NIOCore

/// Lets the signaling server send any request to any node of a cluster: a creation in a room that another
/// node holds (or that the store places on another node) is forwarded there, as are GET and DELETE of a
/// session another node holds, and the owner's answer is returned as it came. Every `/v1/` response names the
/// node that answered it in `Mediamux-Node`. A drain of another node is forwarded to it.
///
/// Behind the bearer check, so only an authenticated request is forwarded; it carries the same token, so the
/// nodes share `api.token`. A forwarded request is marked and never forwarded again, whatever the store
/// says by then. When the store cannot place a room, the creation stays local, where admission answers
/// `admission_unavailable`. Forwarded on AsyncHTTPClient (SwiftNIO, like the rest of the API): Foundation's
/// URLSession on Linux, tried first, spun both cores in its dispatch sources under a burst of forwards.
struct ClusterForwarding: RouterMiddleware {
    typealias Context = BasicRequestContext

    static let nodeHeader = HTTPFields.Element.Name("Mediamux-Node")!
    static let forwardedHeader = HTTPFields.Element.Name("Mediamux-Forwarded-By")!
    /// The largest body forwarded: a creation body, SDP offer included, is far smaller.
    static let maxBody = 1 << 20

    let store: ClusterStore
    let mux: SessionManager
    let nodeID: String
    /// How long the owner may take to answer a forwarded request.
    static let timeout: TimeAmount = .seconds(15)

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard request.uri.path.hasPrefix("/v1/"), request.headers[Self.forwardedHeader] == nil,
            let owner = await self.owner(of: request), owner.node != self.nodeID, !owner.api.isEmpty
        else {
            var response = try await next(request, context)
            if request.uri.path.hasPrefix("/v1/") { response.headers[Self.nodeHeader] = self.nodeID }
            return response
        }
        return try await self.forward(request, to: owner)
    }

    /// The node a request belongs on, when the store knows one: the room's for a creation, the session's for
    /// a read or a deletion of a session this node does not hold.
    private func owner(of request: Request) async -> ClusterStore.Owner? {
        let parts = request.uri.path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        if request.method == .post, parts.count == 4, parts.first == "v1", parts.dropFirst().first == "rooms",
            parts.last == "sessions", let room = String(parts[parts.startIndex + 2]).removingPercentEncoding,
            (try? SessionRoutes.validName(room, field: "room")) != nil
        {
            // A room this node has sessions in is placed here: every member of a room is on one node.
            if self.mux.rooms()[room] != nil { return nil }
            return await self.store.placeRoom(room)
        }
        if request.method == .post, parts.count == 5, parts.first == "v1", parts.last == "drain",
            Array(parts.dropFirst().prefix(2)) == ["cluster", "nodes"]
        {
            let node = String(parts[parts.startIndex + 3])
            return node == self.nodeID ? nil : await self.store.liveNode(node)
        }
        if request.method == .get || request.method == .delete, parts.count == 3, parts.first == "v1",
            parts.dropFirst().first == "sessions", let id = SessionID(String(parts[parts.startIndex + 2])),
            self.mux.snapshot(of: id) == nil
        {
            return await self.store.ownerOfSession("\(id)")
        }
        return nil
    }

    private func forward(_ request: Request, to owner: ClusterStore.Owner) async throws -> Response {
        var forwarded = HTTPClientRequest(url: owner.api + request.uri.description)
        forwarded.method = .init(rawValue: request.method.rawValue)
        for name in [HTTPFields.Element.Name.authorization, .contentType] {
            if let value = request.headers[name] { forwarded.headers.add(name: name.rawName, value: value) }
        }
        forwarded.headers.add(name: Self.forwardedHeader.rawName, value: self.nodeID)
        let body = try await request.body.collect(upTo: Self.maxBody)
        if body.readableBytes > 0 { forwarded.body = .bytes(body) }
        let answer: HTTPClientResponse
        let bytes: ByteBuffer
        do {
            answer = try await HTTPClient.shared.execute(forwarded, timeout: Self.timeout)
            bytes = try await answer.body.collect(upTo: Self.maxBody)
        } catch {
            throw APIError(
                .badGateway, code: "forward_failed", message: "node \(owner.node) holds this but did not answer")
        }
        var headers = HTTPFields()
        for name in [HTTPFields.Element.Name.contentType, .location, .retryAfter] {
            if let value = answer.headers.first(name: name.rawName) { headers[name] = value }
        }
        headers[Self.nodeHeader] = owner.node
        return Response(
            status: HTTPResponse.Status(code: Int(answer.status.code)), headers: headers, body: .init(byteBuffer: bytes)
        )
    }
}
