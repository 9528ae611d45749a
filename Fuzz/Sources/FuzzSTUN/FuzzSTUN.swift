import FuzzSupport
import MuxICE
import MuxWire

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSTUN(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let datagram = UnsafeRawBufferPointer(start: data, count: size)
    let peeked = STUNCheckPeek.localUfrag(of: datagram)
    // The peek checks framing only: what it reads may still fail the parse (found: a MESSAGE-INTEGRITY of
    // 19 bytes), and the router then drops it as malformed.
    guard let message = try? STUNMessage(parsing: datagram) else { return 0 }
    // The router sends what the peek cannot read straight to precheck's refusal: precheck may accept none.
    if peeked == nil, message.type == .bindingRequest, case .success = ConnectivityCheck.precheck(message) {
        preconditionFailure("precheck accepted a check the peek could not read")
    }
    // The router looks up what the peek read before precheck runs: they must agree on the ufrag, and
    // precheck may refuse such a check only for its FINGERPRINT's CRC, which the peek leaves to it.
    if let peeked {
        precondition(message.type == .bindingRequest, "the peek read a ufrag from \(message.type)")
        switch ConnectivityCheck.precheck(message) {
        case .success(let ufrag): precondition(ufrag == peeked[...], "the peek read \(peeked), the parse \(ufrag)")
        case .failure(let refused):
            precondition(refused.refusal == .badFingerprint, "the peek read \(peeked), precheck refused it")
        }
    }
    _ = (message.username, message.software, message.priority, message.useCandidate)
    _ = (message.iceControlling, message.iceControlled, message.errorCode, message.xorMappedAddress)
    _ = (message.hasValidFingerprint, message.verifyIntegrity(with: FuzzCredentials.key))
    guard case .success = ConnectivityCheck.precheck(message) else { return 0 }
    switch ConnectivityCheck.respond(to: message, from: FuzzCredentials.source, key: FuzzCredentials.key) {
    case .accepted(let response, _):
        // An answer always parses and verifies.
        let parsed = try! STUNMessage(parsing: response)
        precondition(parsed.verifyIntegrity(with: FuzzCredentials.key) && parsed.hasValidFingerprint)
    case .refused(.badIntegrity, let response?), .refused(.missingAttribute, let response?):
        // Unless it authenticated, an answer is never larger than the request.
        precondition(message.verifyIntegrity(with: FuzzCredentials.key) || response.count <= size)
    case .refused:
        break
    }
    return 0
}
