import Hummingbird
import MuxCluster
import MuxSessions

/// `GET /v1/cluster/nodes`: every node the store knows, with its state and sessions. Without a cluster,
/// this node alone.
struct ClusterRoutes: Sendable {
    let store: ClusterStore?
    let drain: NodeDrain?
    let mux: SessionManager
    let nodeID: String
    let capacity: Int

    func add(to router: Hummingbird.Router<BasicRequestContext>) {
        router.get("/v1/cluster/nodes") { _, _ in try await self.nodes() }
        router.post("/v1/cluster/nodes/:id/drain") { _, context in try await self.drain(context) }
    }

    /// Drains this node; another node's drain was forwarded to it (`ClusterForwarding`), so an id that is not
    /// this node's names no live node.
    private func drain(_ context: BasicRequestContext) async throws -> EditedResponse<NodeDrainDTO> {
        let id = try context.parameters.require("id")
        guard let drain, id == self.nodeID else { throw APIError.notFound("no live node \(id)") }
        drain.start()
        return EditedResponse(status: .accepted, response: NodeDrainDTO(id: id, state: "draining"))
    }

    private func nodes() async throws -> NodeListDTO {
        guard let store else {
            let sessions = self.mux.rooms().values.reduce(0, +)
            return NodeListDTO(nodes: [
                .init(
                    id: self.nodeID, api: nil, media: self.mux.singlePortAddresses.map { "\($0)" },
                    capacity: self.capacity, state: "up", sessions: sessions)
            ])
        }
        guard let nodes = await store.nodes() else {
            throw APIError(
                .serviceUnavailable, code: "admission_unavailable", message: "the cluster store cannot be reached")
        }
        return NodeListDTO(
            nodes: nodes.map {
                .init(
                    id: $0.id, api: $0.api.isEmpty ? nil : $0.api,
                    media: $0.media.split(separator: ",").map(String.init), capacity: $0.capacity, state: $0.state,
                    sessions: $0.sessions)
            })
    }
}

struct NodeListDTO: ResponseEncodable {
    struct Node: Encodable {
        let id: String
        /// How the other nodes reach its API (`cluster.advertise_api`).
        let api: String?
        let media: [String]
        let capacity: Int
        /// `up`, `draining`, or `dead` once its lease ran out.
        let state: String
        let sessions: Int
    }

    let nodes: [Node]
}

struct NodeDrainDTO: ResponseEncodable {
    let id: String
    let state: String
}
