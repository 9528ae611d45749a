import MuxSDP

// Offers as the API gets them, answered as for an echo session: whatever the text, parsing and answering
// end in an answer or an SDPError, and an answer is valid SDP of bounded size.
let options = AnswerOptions(
    iceUfrag: "FqL2qbB3", icePwd: "kqy6qZ4LRjuIqKfpiCh9sT2Y",
    fingerprint: .sha256(Array(repeating: 0xAB, count: 32)),
    candidates: ["candidate:1 1 udp 2130706431 127.0.0.1 7882 typ host"], direction: .sendrecv, sessionID: 1,
    returnedSSRCMask: 0x9E37_79B9
)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSDP(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let offer = try? SessionDescription(parsing: text), let answer = try? Answer(to: offer, options: options)
    else {
        return 0
    }
    // Every accepted section carries the transport lines and the candidate; beyond that an answer says no
    // more than the offer did (formats are answered once, however often they are offered).
    precondition(answer.sdp.utf8.count <= 2 * text.utf8.count + offer.media.count * 1024 + 1024, "answer too large")
    do {
        _ = try SessionDescription(parsing: answer.sdp)
    } catch {
        preconditionFailure("the answer does not parse: \(error)\n\(answer.sdp)")
    }
    return 0
}
