/// The local ufrag a connectivity check names, read in place before the check is parsed: what the router
/// needs to decide whether the check is worth parsing (which copies it) and hashing. A flood the budgets
/// refuse then costs one walk over the attributes and allocates nothing. FINGERPRINT's CRC-32 is left to
/// the full parse, which runs only for the checks the budgets let through: it was the largest cost of a
/// refused flood.
public enum STUNCheckPeek {
    /// The ufrag before the colon of USERNAME, when `datagram` is a well-framed Binding request whose last
    /// attribute is a FINGERPRINT; nil for anything else, which the full parse then explains. It checks
    /// framing only: a check it reads a ufrag from may still fail the parse (an attribute of the wrong
    /// length) or its FINGERPRINT.
    public static func localUfrag(of datagram: UnsafeRawBufferPointer) -> String? {
        let count = datagram.count
        guard count >= STUN.headerLength + 8,
            datagram.loadBigEndianUInt16(at: 0) == STUNMessageType.bindingRequest.rawValue,
            Int(datagram.loadBigEndianUInt16(at: 2)) + STUN.headerLength == count,
            datagram.loadBigEndianUInt32(at: 4) == STUN.magicCookie
        else { return nil }
        var username: Range<Int>?
        var afterIntegrity = false
        var offset = STUN.headerLength
        while offset + 4 <= count {
            let type = datagram.loadBigEndianUInt16(at: offset)
            let length = Int(datagram.loadBigEndianUInt16(at: offset + 2))
            let end = offset + 4 + ((length + 3) & ~3)
            guard end <= count else { return nil }
            // As the parser does, only the first USERNAME counts, and nothing after MESSAGE-INTEGRITY.
            if type == STUNAttributeType.username.rawValue, username == nil, !afterIntegrity {
                username = (offset + 4)..<(offset + 4 + length)
            }
            if type == STUNAttributeType.messageIntegrity.rawValue { afterIntegrity = true }
            if type == STUNAttributeType.fingerprint.rawValue {
                guard length == 4, end == count, let username else { return nil }
                let name = UnsafeRawBufferPointer(rebasing: datagram[username])
                guard let colon = name.firstIndex(of: UInt8(ascii: ":")), colon > 0 else { return nil }
                return String(decoding: UnsafeRawBufferPointer(rebasing: name[..<colon]), as: UTF8.self)
            }
            offset = end
        }
        return nil
    }
}
