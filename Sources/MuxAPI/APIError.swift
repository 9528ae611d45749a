import Hummingbird

/// An API error as JSON: `{"error": {"code": "room_full", "message": "…"}}` with its HTTP status.
public struct APIError: HTTPResponseError, Sendable {
    public let status: HTTPResponse.Status
    public let code: String
    public let message: String
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, code: String, message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = try context.responseEncoder.encode(
            ErrorBody(error: .init(code: self.code, message: self.message)), from: request, context: context
        )
        response.status = self.status
        response.headers.append(contentsOf: self.headers)
        return response
    }

    static func badRequest(_ message: String) -> APIError {
        APIError(.badRequest, code: "bad_request", message: message)
    }

    static func notFound(_ message: String) -> APIError {
        APIError(.notFound, code: "not_found", message: message)
    }
}

struct ErrorBody: Encodable {
    struct Detail: Encodable {
        let code: String
        let message: String
    }

    let error: Detail
}

/// Turns every error, Hummingbird's own included (404 for unknown routes, 400 for bad JSON), into `APIError`.
/// Added first, so it wraps every other middleware and the not-found responder.
struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            throw error
        } catch let error as HTTPError {
            throw APIError(
                error.status, code: Self.code(error.status), message: error.body ?? error.status.reasonPhrase,
                headers: error.headers)
        } catch let error as any HTTPResponseError {
            throw APIError(error.status, code: Self.code(error.status), message: error.status.reasonPhrase)
        } catch {
            context.logger.error("request failed", metadata: ["error": "\(error)"])
            throw APIError(.internalServerError, code: "internal", message: "internal error")
        }
    }

    private static func code(_ status: HTTPResponse.Status) -> String {
        switch status {
        case .notFound: "not_found"
        case .badRequest: "bad_request"
        case .contentTooLarge: "too_large"
        default: "http_\(status.code)"
        }
    }
}
