/// One `a=rtpmap` line (RFC 8866, section 6.6): `<payload type> <encoding name>/<clock rate>[/<channels>]`.
public struct RTPMap: Hashable, Sendable {
    public var payloadType: UInt8
    /// As written by the offer (`opus`, `VP8`); compare case-insensitively, as RFC 8866 says.
    public var name: String
    public var clockRate: UInt32
    /// The encoding parameters, for audio the channel count; nil when the line has none.
    public var channels: Int?

    public init(payloadType: UInt8, name: String, clockRate: UInt32, channels: Int? = nil) {
        self.payloadType = payloadType
        self.name = name
        self.clockRate = clockRate
        self.channels = channels
    }

    /// Parses the value after `a=rtpmap:`; nil if the payload type is not 0...127 or the clock rate is missing.
    public init?(sdpValue: some StringProtocol) {
        let parts = sdpValue.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, let payloadType = UInt8(parts[0]), payloadType <= 127 else {
            return nil
        }
        let encoding = parts[1].split(separator: "/", omittingEmptySubsequences: false)
        guard (2...3).contains(encoding.count), !encoding[0].isEmpty, let clockRate = UInt32(encoding[1]) else {
            return nil
        }
        var channels: Int?
        if encoding.count == 3 {
            guard let count = Int(encoding[2]), count > 0 else {
                return nil
            }
            channels = count
        }
        self.init(payloadType: payloadType, name: String(encoding[0]), clockRate: clockRate, channels: channels)
    }

    public var sdpValue: String {
        let encoding = "\(self.name)/\(self.clockRate)"
        return "\(self.payloadType) " + (self.channels.map { encoding + "/\($0)" } ?? encoding)
    }

    /// The static payload types of RFC 3551, section 6, that offers still list, sometimes without an rtpmap.
    /// Used to name them for the codec allow-list and to write their rtpmap in an answer.
    public static func staticPayload(_ payloadType: UInt8) -> RTPMap? {
        switch payloadType {
        case 0: RTPMap(payloadType: 0, name: "PCMU", clockRate: 8000)
        case 3: RTPMap(payloadType: 3, name: "GSM", clockRate: 8000)
        case 4: RTPMap(payloadType: 4, name: "G723", clockRate: 8000)
        case 8: RTPMap(payloadType: 8, name: "PCMA", clockRate: 8000)
        case 9: RTPMap(payloadType: 9, name: "G722", clockRate: 8000)
        case 13: RTPMap(payloadType: 13, name: "CN", clockRate: 8000)
        case 18: RTPMap(payloadType: 18, name: "G729", clockRate: 8000)
        case 26: RTPMap(payloadType: 26, name: "JPEG", clockRate: 90000)
        case 31: RTPMap(payloadType: 31, name: "H261", clockRate: 90000)
        case 34: RTPMap(payloadType: 34, name: "H263", clockRate: 90000)
        default: nil
        }
    }
}
