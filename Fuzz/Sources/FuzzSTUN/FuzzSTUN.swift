import FuzzSupport
import MuxICE
import MuxWire

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSTUN(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let datagram = UnsafeRawBufferPointer(start: data, count: size)
    let peeked = STUNCheckPeek.localUfrag(of: datagram)
    guard let message = try? STUNMessage(parsing: datagram) else {
        precondition(peeked == nil, "the peek read a ufrag from what does not parse")
        return 0
    }
    // The router trusts the peek in place of precheck: they must agree.
    if let peeked {
        guard case .success(let ufrag) = ConnectivityCheck.precheck(message), ufrag == peeked[...], message.type == .bindingRequest else {
            preconditionFailure("the peek read \(peeked), the parse disagrees")
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
