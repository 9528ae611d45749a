import MuxSDP

/// The local side of the answers in these tests: fixed credentials, a recognisable fingerprint, two candidates
/// and a fixed session id, so that whole answers can be compared as text.
enum Fixture {
    static let candidates = [
        "candidate:1 1 udp 2130706431 127.0.0.1 7882 typ host",
        "candidate:2 1 udp 2130706175 192.0.2.10 7882 typ host",
    ]

    /// 00:01:02:...:1F.
    static let digest: [UInt8] = (0..<32).map { UInt8($0) }

    static func options(
        codecs: [String]? = nil,
        direction: Direction = .sendrecv,
        headerExtensions: [String]? = AnswerOptions.defaultHeaderExtensions
    ) -> AnswerOptions {
        AnswerOptions(
            iceUfrag: "FqL2qbB3",
            icePwd: "kqy6qZ4LRjuIqKfpiCh9sT2Y",
            fingerprint: .sha256(Self.digest),
            candidates: Self.candidates,
            direction: direction,
            codecs: codecs,
            headerExtensions: headerExtensions,
            sessionID: 4242
        )
    }
}
