/// One `<type>=<value>` line of an SDP description (RFC 8866, section 5), numbered from 1 for error messages.
struct SDPLine: Sendable {
    let number: Int
    let type: Character
    let value: String

    /// Splits `text` into lines at LF, dropping a CR before it, so that both the CRLF that RFC 8866 requires and
    /// the bare LF of hand-written offers work. Blank lines (a trailing newline, or several) are skipped.
    ///
    /// The split runs over UTF-8 bytes: in a Swift `String`, CR LF is one `Character`, which a split at the
    /// `Character` "\n" would never find.
    static func lines(of text: String) throws(SDPError) -> [SDPLine] {
        var lines: [SDPLine] = []
        let newline = UInt8(ascii: "\n")
        let carriageReturn = UInt8(ascii: "\r")
        for (index, bytes) in text.utf8.split(separator: newline, omittingEmptySubsequences: false).enumerated() {
            let content = bytes.last == carriageReturn ? bytes.dropLast() : bytes[...]
            if content.isEmpty {
                continue
            }
            let line = String(decoding: content, as: UTF8.self)
            let number = index + 1
            guard let parsed = SDPLine(number: number, text: line) else {
                throw lines.isEmpty ? SDPError.notSDP : SDPError.malformedLine(number, "expected <letter>=<value>")
            }
            lines.append(parsed)
        }
        guard let first = lines.first, first.type == "v", first.value == "0" else {
            throw SDPError.notSDP
        }
        return lines
    }

    private init?(number: Int, text: String) {
        var characters = text.makeIterator()
        guard let type = characters.next(), type.isASCII, type.isLowercase, characters.next() == "=" else {
            return nil
        }
        self.number = number
        self.type = type
        self.value = String(text.dropFirst(2))
    }
}
