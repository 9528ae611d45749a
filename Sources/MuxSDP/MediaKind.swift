/// The media type of an `m=` line (RFC 8866, section 5.14).
///
/// Types other than audio, video and application are kept by name so that an answer can reject them and still
/// repeat the type the offer used.
public enum MediaKind: Hashable, Sendable, CustomStringConvertible {
    case audio
    case video
    case application
    case other(String)

    public init(_ token: some StringProtocol) {
        switch String(token) {
        case "audio": self = .audio
        case "video": self = .video
        case "application": self = .application
        case let other: self = .other(other)
        }
    }

    public var description: String {
        switch self {
        case .audio: "audio"
        case .video: "video"
        case .application: "application"
        case .other(let name): name
        }
    }

    /// Audio and video carry RTP; mediamux answers nothing else.
    public var isRTP: Bool {
        self == .audio || self == .video
    }
}
