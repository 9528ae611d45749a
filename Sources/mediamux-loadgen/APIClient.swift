import Foundation
import MuxWire

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The part of mediamux's control API a load generator needs, over URLSession: create a session as a
/// signaling server would (the peer's DTLS fingerprint, no SDP), and delete it. Calls block their thread.
final class APIClient: Sendable {
    struct CreatedSession: Sendable {
        let id: String
        let ufrag: String
        let password: String
        /// The first host candidate's address; the first TCP candidate's when asked for TCP.
        let candidate: TransportAddress
    }

    private let base: URL
    private let token: String?
    private let session: URLSession

    init(base: URL, token: String?, connections: Int) {
        self.base = base
        self.token = token
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = connections
        configuration.timeoutIntervalForRequest = 10
        self.session = URLSession(configuration: configuration)
    }

    func createSession(
        room: String, user: String, handler: String, fingerprint: String, overTCP: Bool = false
    ) throws -> CreatedSession {
        let body: [String: Any] = [
            "user": user, "handler": handler, "remote": ["fingerprint": fingerprint, "setup": "actpass"],
        ]
        let (status, data) = try self.call(
            "POST", "v1/rooms/\(room)/sessions", body: JSONSerialization.data(withJSONObject: body))
        guard status == 201 else {
            throw LoadError("POST sessions: HTTP \(status) \(String(decoding: data.prefix(200), as: UTF8.self))")
        }
        let response = try JSONDecoder().decode(SessionResponse.self, from: data)
        let transport = overTCP ? "tcp" : "udp"
        guard let pwd = response.ice.pwd,
            let line = response.ice.candidates?.first(where: {
                $0.split(separator: " ").dropFirst(2).first == "\(transport)"
            }),
            let candidate = Self.address(ofCandidate: line)
        else {
            throw LoadError("the created session has no password or \(transport) candidate")
        }
        return CreatedSession(id: response.id, ufrag: response.ice.ufrag, password: pwd, candidate: candidate)
    }

    func deleteSession(_ id: String) {
        _ = try? self.call("DELETE", "v1/sessions/\(id)", body: nil)
    }

    /// `candidate:1 1 udp 2130706431 127.0.0.1 7882 typ host` -> 127.0.0.1:7882.
    static func address(ofCandidate line: String) -> TransportAddress? {
        let fields = line.split(separator: " ")
        guard fields.count >= 6, let ip = IPAddress(fields[4]), let port = UInt16(fields[5]) else { return nil }
        return TransportAddress(ip: ip, port: port)
    }

    private func call(_ method: String, _ path: String, body: Data?) throws -> (Int, Data) {
        var request = URLRequest(url: self.base.appendingPathComponent(path))
        request.httpMethod = method
        request.httpBody = body
        if body != nil { request.setValue("application/json", forHTTPHeaderField: "Content-Type") }
        if let token = self.token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var outcome: Result<(Int, Data), any Error> = .failure(LoadError("no response"))
        self.session.dataTask(with: request) { data, response, error in
            if let error {
                outcome = .failure(error)
            } else {
                outcome = .success(((response as? HTTPURLResponse)?.statusCode ?? 0, data ?? Data()))
            }
            done.signal()
        }.resume()
        done.wait()
        return try outcome.get()
    }

    private struct SessionResponse: Decodable {
        struct ICE: Decodable {
            let ufrag: String
            let pwd: String?
            let candidates: [String]?
        }

        let id: String
        let ice: ICE
    }
}
