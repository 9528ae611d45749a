import MuxWire

/// Answers one ICE connectivity check (a STUN Binding request) as a lite, always-controlled agent
/// (RFC 8445, sections 7.3 and 2.5). It does no lookup and keeps no state: the caller has already found the
/// session whose ufrag the USERNAME names, and passes that session's password key.
///
/// Structural checks that need no session (FINGERPRINT, USERNAME present) come first in `precheck`, so
/// that unknown peers cost nothing and get nothing back.
public enum ConnectivityCheck {
    public enum Refusal: Sendable, Hashable {
        /// FINGERPRINT absent or wrong: silently dropped, the peer may not be speaking ICE.
        case badFingerprint
        /// USERNAME, MESSAGE-INTEGRITY, PRIORITY or the role attribute absent: 400.
        case missingAttribute
        /// MESSAGE-INTEGRITY does not verify: 401.
        case badIntegrity
        /// The peer also claims to be controlled; a lite agent cannot switch roles: 487.
        case roleConflict
        /// A comprehension-required attribute this agent does not know: 420.
        case unknownAttribute
    }

    public enum Outcome: Sendable {
        /// Authenticated: send `response` back on the same 5-tuple, bind it, and select it if `nominated`.
        case accepted(response: [UInt8], nominated: Bool)
        /// Refused; send `response` when there is one.
        case refused(Refusal, response: [UInt8]?)
    }

    /// The local ufrag a Binding request names, or why it cannot be looked up.
    /// Returns `.failure` with a 400 response (not larger than the request) when USERNAME is missing.
    public static func precheck(_ request: STUNMessage) -> Result<Substring, Refused> {
        guard request.hasValidFingerprint else { return .failure(Refused(.badFingerprint, response: nil)) }
        guard let username = request.username, let colon = username.firstIndex(of: ":"),
            colon != username.startIndex
        else {
            return .failure(
                Refused(.missingAttribute, response: self.unauthenticatedError(400, "Bad Request", to: request)))
        }
        return .success(username[..<colon])
    }

    /// Verifies the request against the session's key and builds the answer.
    public static func respond(to request: STUNMessage, from source: TransportAddress, key: STUNIntegrityKey) -> Outcome
    {
        guard request.hasMessageIntegrity else {
            return .refused(.missingAttribute, response: self.unauthenticatedError(400, "Bad Request", to: request))
        }
        guard request.verifyIntegrity(with: key) else {
            return .refused(.badIntegrity, response: self.unauthenticatedError(401, "Unauthenticated", to: request))
        }
        guard request.priority != nil, request.iceControlling != nil || request.iceControlled != nil else {
            var builder = STUNMessageBuilder(type: .bindingError, transactionID: request.transactionID)
            builder.appendErrorCode(400, reason: "Bad Request")
            return .refused(.missingAttribute, response: builder.finish(integrity: key, fingerprint: true))
        }
        if !request.unknownComprehensionRequired.isEmpty {
            var builder = STUNMessageBuilder(type: .bindingError, transactionID: request.transactionID)
            builder.appendErrorCode(420, reason: "Unknown Attribute")
            builder.appendUnknownAttributes(request.unknownComprehensionRequired)
            return .refused(.unknownAttribute, response: builder.finish(integrity: key, fingerprint: true))
        }
        if request.iceControlled != nil {
            var builder = STUNMessageBuilder(type: .bindingError, transactionID: request.transactionID)
            builder.appendErrorCode(487, reason: "Role Conflict")
            return .refused(.roleConflict, response: builder.finish(integrity: key, fingerprint: true))
        }
        var builder = STUNMessageBuilder(type: .bindingSuccess, transactionID: request.transactionID)
        builder.appendXORMappedAddress(source)
        return .accepted(response: builder.finish(integrity: key, fingerprint: true), nominated: request.useCandidate)
    }

    /// An error response for a request that did not authenticate, or nil when it would be larger than the
    /// request: an unauthenticated peer never gets more bytes back than it sent.
    static func unauthenticatedError(_ code: Int, _ reason: String, to request: STUNMessage) -> [UInt8]? {
        var builder = STUNMessageBuilder(type: .bindingError, transactionID: request.transactionID)
        builder.appendErrorCode(code, reason: reason)
        let response = builder.finish(integrity: nil, fingerprint: true)
        return response.count <= request.bytes.count ? response : nil
    }

    public struct Refused: Error, Sendable {
        public let refusal: Refusal
        public let response: [UInt8]?
        init(_ refusal: Refusal, response: [UInt8]?) {
            self.refusal = refusal
            self.response = response
        }
    }
}
