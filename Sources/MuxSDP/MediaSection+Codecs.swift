extension MediaSection {
    /// The rtpmap of a payload type, or for a static payload type without one, its RFC 3551 meaning.
    public func codec(for payloadType: UInt8) -> RTPMap? {
        self.rtpMaps[payloadType] ?? RTPMap.staticPayload(payloadType)
    }

    /// The `a=fmtp` parameters of a payload type as name/value pairs: `minptime=10;useinbandfec=1` gives
    /// `["minptime": "10", "useinbandfec": "1"]`. A parameter without `=` maps to an empty value.
    public func formatParameters(for payloadType: UInt8) -> [String: String] {
        var parameters: [String: String] = [:]
        for part in (self.fmtp[payloadType] ?? "").split(separator: ";") {
            let pair = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = pair[0].trimmingSpaces()
            if !name.isEmpty {
                parameters[String(name)] = pair.count == 2 ? String(pair[1].trimmingSpaces()) : ""
            }
        }
        return parameters
    }

    /// The payload type an RTX payload type retransmits (`apt`, RFC 4588, section 8.6).
    public func associatedPayloadType(of payloadType: UInt8) -> UInt8? {
        self.formatParameters(for: payloadType)["apt"].flatMap { UInt8($0) }
    }

    /// The payload types to answer with, in offer order: those whose codec name is in `codecs` (case-insensitive;
    /// nil allows every codec), plus each RTX payload type whose `apt` names one of those. An RTX payload type
    /// without a kept primary is dropped even when `codecs` is nil, since it could never be used.
    public func payloadTypes(allowing codecs: [String]?) -> [UInt8] {
        let allowed = codecs.map { Set($0.map { $0.lowercased() }) }
        let offered = self.payloadTypes
        var primaries: Set<UInt8> = []
        for payloadType in offered {
            let name = self.codec(for: payloadType)?.name.lowercased()
            guard name != "rtx" else {
                continue
            }
            if let allowed {
                guard let name, allowed.contains(name) else {
                    continue
                }
            }
            primaries.insert(payloadType)
        }
        return offered.filter { payloadType in
            if primaries.contains(payloadType) {
                return true
            }
            guard self.codec(for: payloadType)?.name.lowercased() == "rtx",
                let primary = self.associatedPayloadType(of: payloadType)
            else {
                return false
            }
            return primaries.contains(primary)
        }
    }
}

extension Substring {
    /// Without leading and trailing spaces, which some offers put around `;` in `a=fmtp`.
    func trimmingSpaces() -> Substring {
        var text = self
        while text.first == " " {
            text.removeFirst()
        }
        while text.last == " " {
            text.removeLast()
        }
        return text
    }
}
