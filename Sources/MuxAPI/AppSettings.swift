import MuxIO

/// Everything mediamux is configured with, after files, environment and flags were merged and checked.
public struct AppSettings: Sendable {
    public var mux = MuxSettings()
    public var api = APISettings()

    public init() {}
}
