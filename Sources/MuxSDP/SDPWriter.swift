/// Accumulates SDP lines, each ended by CRLF as RFC 8866, section 5 requires.
struct SDPWriter {
    private(set) var text = ""

    mutating func line(_ type: Character, _ value: String) {
        self.text.append(type)
        self.text += "="
        self.text += value
        self.text += "\r\n"
    }

    /// `a=<name>` or `a=<name>:<value>`.
    mutating func attribute(_ name: String, _ value: String? = nil) {
        self.line("a", value.map { "\(name):\($0)" } ?? name)
    }
}
