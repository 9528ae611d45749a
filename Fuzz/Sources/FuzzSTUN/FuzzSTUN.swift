import FuzzSupport
import MuxICE
import MuxWire

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSTUN(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let datagram = UnsafeRawBufferPointer(start: data, count: size)
    guard let message = try? STUNMessage(parsing: datagram) else { return 0 }
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
