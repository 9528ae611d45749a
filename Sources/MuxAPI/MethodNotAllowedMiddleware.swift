import Hummingbird

/// A known path asked with a method it does not have (TRACE, PUT /v1/rooms) is 405 with `Allow`, not the
/// router's 404, so a client learns that the path exists but the method is wrong.
struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Path patterns, `*` standing for one segment, and the methods each has.
    let routes: [(pattern: [String], methods: [HTTPRequest.Method])]

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let segments = request.uri.path.split(separator: "/").map(String.init)
        if let route = self.routes.first(where: { Self.matches($0.pattern, segments) }),
            !route.methods.contains(request.method)
        {
            throw APIError(
                .methodNotAllowed, code: "method_not_allowed",
                message: "\(request.method) is not allowed on \(request.uri.path)",
                headers: [.allow: route.methods.map(\.rawValue).joined(separator: ", ")]
            )
        }
        return try await next(request, context)
    }

    private static func matches(_ pattern: [String], _ segments: [String]) -> Bool {
        pattern.count == segments.count && zip(pattern, segments).allSatisfy { $0 == "*" || $0 == $1 }
    }
}
