import Hummingbird

/// Requires `Authorization: Bearer <token>` on every path that has a token: the API token for `/v1/`,
/// the metrics token (if any) for `/metrics`. `/healthz` never needs one.
struct BearerAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let apiToken: String?
    let metricsToken: String?

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let path = request.uri.path
        let token: String? =
            if path == "/metrics" {
                self.metricsToken
            } else if path == "/healthz" || path == "/demo" {
                nil
            } else {
                self.apiToken
            }
        if let token {
            guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer "),
                Self.constantTimeEquals(Array(header.utf8.dropFirst(7)), Array(token.utf8))
            else {
                throw APIError(
                    .unauthorized, code: "unauthorized", message: "missing or wrong bearer token",
                    headers: [.wwwAuthenticate: "Bearer"]
                )
            }
        }
        return try await next(request, context)
    }

    /// Compares without an early exit, so timing does not reveal how much of a guess was right.
    static func constantTimeEquals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        return zip(lhs, rhs).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
