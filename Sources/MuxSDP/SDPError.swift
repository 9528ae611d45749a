/// Why an offer cannot be parsed or answered.
///
/// The control API returns `description` verbatim with status 400, so every message names the line or the
/// m-section at fault in words the author of the offer can act on.
public struct SDPError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Reason: Hashable, Sendable {
        case notSDP
        case malformedLine(number: Int, problem: String)
        case noMediaSections
        case missingMid(index: Int, kind: String)
        case duplicateMid(String)
        case bundleWithoutMids
        case unknownBundleMid(String)
        case bundleRequired(sections: Int)
        case nothingToAnswer
        case missingICECredentials(kind: String, mid: String, attribute: String)
        case missingFingerprint(kind: String, mid: String)
        case unsupportedFingerprintAlgorithm(kind: String, mid: String, offered: [String])
        case missingRTCPMux(kind: String, mid: String)
        case unsupportedSetup(String)
        case invalidOption(String)
        case tooLarge(bytes: Int)
        case tooManySections
        case tooManyFormats(line: Int)
    }

    private let reason: Reason

    /// The text does not begin with `v=0`.
    public static let notSDP = Self(reason: .notSDP)
    /// The description has a session part but no `m=` line.
    public static let noMediaSections = Self(reason: .noMediaSections)
    /// An `a=group:BUNDLE` line lists no mid.
    public static let bundleWithoutMids = Self(reason: .bundleWithoutMids)
    /// Every m-section is rejected, unsupported, or left without an allowed codec.
    public static let nothingToAnswer = Self(reason: .nothingToAnswer)

    /// Line `number` (counted from 1) breaks the grammar of its type; `problem` says how.
    public static func malformedLine(_ number: Int, _ problem: String) -> Self {
        Self(reason: .malformedLine(number: number, problem: problem))
    }

    /// The m-section at `index` (counted from 0, like `sdpMLineIndex`) has no `a=mid`.
    public static func missingMid(index: Int, kind: MediaKind) -> Self {
        Self(reason: .missingMid(index: index, kind: kind.description))
    }

    public static func duplicateMid(_ mid: String) -> Self {
        Self(reason: .duplicateMid(mid))
    }

    /// `a=group:BUNDLE` names a mid that no m-section carries.
    public static func unknownBundleMid(_ mid: String) -> Self {
        Self(reason: .unknownBundleMid(mid))
    }

    /// More than one m-section could be accepted but the offer does not bundle them onto one transport.
    public static func bundleRequired(sections: Int) -> Self {
        Self(reason: .bundleRequired(sections: sections))
    }

    /// `attribute` is `ice-ufrag` or `ice-pwd`; it is missing at media level, session level and in the
    /// section that carries the BUNDLE transport.
    public static func missingICECredentials(kind: MediaKind, mid: String, attribute: String) -> Self {
        Self(reason: .missingICECredentials(kind: kind.description, mid: mid, attribute: attribute))
    }

    public static func missingFingerprint(kind: MediaKind, mid: String) -> Self {
        Self(reason: .missingFingerprint(kind: kind.description, mid: mid))
    }

    /// The section has fingerprints, but none with a hash function mediamux can check.
    public static func unsupportedFingerprintAlgorithm(kind: MediaKind, mid: String, offered: [String]) -> Self {
        Self(reason: .unsupportedFingerprintAlgorithm(kind: kind.description, mid: mid, offered: offered))
    }

    public static func missingRTCPMux(kind: MediaKind, mid: String) -> Self {
        Self(reason: .missingRTCPMux(kind: kind.description, mid: mid))
    }

    /// `a=setup` has a value other than actpass, active or passive.
    public static func unsupportedSetup(_ value: String) -> Self {
        Self(reason: .unsupportedSetup(value))
    }

    /// The offer is longer than `SDPLimits.offerBytes`.
    public static func tooLarge(bytes: Int) -> Self {
        Self(reason: .tooLarge(bytes: bytes))
    }

    /// The offer has more than `SDPLimits.mediaSections` m-sections.
    public static let tooManySections = Self(reason: .tooManySections)

    /// The m-line at `line` names more than `SDPLimits.formatsPerSection` distinct formats.
    public static func tooManyFormats(line: Int) -> Self {
        Self(reason: .tooManyFormats(line: line))
    }

    /// An `AnswerOptions` value would break the answer's syntax (a line break, an empty credential, a candidate
    /// that is not `candidate:...`). This is a bug in the caller, not in the offer.
    public static func invalidOption(_ name: String) -> Self {
        Self(reason: .invalidOption(name))
    }

    public var description: String {
        switch self.reason {
        case .notSDP:
            "not an SDP description: the first line must be v=0"
        case .malformedLine(let number, let problem):
            "line \(number) is malformed: \(problem)"
        case .noMediaSections:
            "the offer has no m= section"
        case .missingMid(let index, let kind):
            "m-section \(index) ('\(kind)') has no a=mid; WebRTC offers carry one in every m-section"
        case .duplicateMid(let mid):
            "more than one m-section has a=mid:\(mid)"
        case .bundleWithoutMids:
            "a=group:BUNDLE lists no mid"
        case .unknownBundleMid(let mid):
            "a=group:BUNDLE lists mid \(mid), but no m-section has a=mid:\(mid)"
        case .bundleRequired(let sections):
            "the offer has \(sections) usable m-sections but no a=group:BUNDLE; "
                + "a mediamux session has one transport, so several m-sections must be bundled"
        case .nothingToAnswer:
            "the offer has no audio or video m-section that mediamux can accept "
                + "(each is rejected, not UDP/TLS/RTP/SAVPF, outside the BUNDLE group, or has no allowed codec)"
        case .missingICECredentials(let kind, let mid, let attribute):
            "m-section '\(kind)' (mid \(mid)) has no a=\(attribute)"
        case .missingFingerprint(let kind, let mid):
            "m-section '\(kind)' (mid \(mid)) has no a=fingerprint, neither at media nor at session level"
        case .unsupportedFingerprintAlgorithm(let kind, let mid, let offered):
            "m-section '\(kind)' (mid \(mid)) has fingerprints with \(offered.joined(separator: ", ")) only; "
                + "mediamux checks " + FingerprintAlgorithm.verifiable.map(\.rawValue).joined(separator: " or ")
        case .missingRTCPMux(let kind, let mid):
            "m-section '\(kind)' (mid \(mid)) has no a=rtcp-mux; mediamux needs RTP and RTCP on one port"
        case .unsupportedSetup(let value):
            "a=setup:\(value) is not supported; an offer must say actpass, active or passive"
        case .invalidOption(let name):
            "answer option \(name) would not be valid SDP"
        case .tooLarge(let bytes):
            "the offer has \(bytes) bytes; mediamux reads at most \(SDPLimits.offerBytes)"
        case .tooManySections:
            "the offer has more than \(SDPLimits.mediaSections) m-sections"
        case .tooManyFormats(let line):
            "line \(line): an m= line names more than \(SDPLimits.formatsPerSection) distinct formats"
        }
    }
}
