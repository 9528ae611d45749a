import MuxSDP
import Testing

/// Line-level helpers for reading answers and editing offers in tests.
enum SDPText {
    /// In a Swift `String`, CR LF is a single `Character`.
    static let lineEnd: Character = "\r\n"

    static func lines(_ sdp: String) -> [String] {
        sdp.split(separator: Self.lineEnd).map(String.init)
    }

    /// The m-sections, each a list of lines starting with its `m=` line; session-level lines are left out.
    static func sections(_ sdp: String) -> [[String]] {
        var sections: [[String]] = []
        for line in Self.lines(sdp) {
            if line.hasPrefix("m=") {
                sections.append([line])
            } else if !sections.isEmpty {
                sections[sections.count - 1].append(line)
            }
        }
        return sections
    }

    /// Rewrites every line with `transform`; nil deletes the line.
    static func edit(_ sdp: String, _ transform: (String) -> String?) -> String {
        Self.lines(sdp).compactMap(transform).map { $0 + "\r\n" }.joined()
    }

    /// Rewrites the lines of one m-section (counted from 0) only; the `m=` line is passed too.
    static func edit(_ sdp: String, section: Int, _ transform: (String) -> String?) -> String {
        var current = -1
        return Self.edit(sdp) { line in
            if line.hasPrefix("m=") {
                current += 1
            }
            return current == section ? transform(line) : line
        }
    }

    /// Replaces whole lines equal to `old`.
    static func replacing(_ old: String, with new: String, in sdp: String) -> String {
        Self.edit(sdp) { $0 == old ? new : $0 }
    }

    /// Deletes the lines that start with `prefix`.
    static func removing(_ prefix: String, from sdp: String) -> String {
        Self.edit(sdp) { $0.hasPrefix(prefix) ? nil : $0 }
    }

    /// The error `body` throws, or nil. The closure is untyped because Swift 6 infers `any Error` for a closure
    /// that does not spell out `throws(SDPError)`; anything but an `SDPError` is recorded as a test failure.
    static func error(_ body: () throws -> Void) -> SDPError? {
        do {
            try body()
            return nil
        } catch let error as SDPError {
            return error
        } catch {
            Issue.record("expected an SDPError, got \(error)")
            return nil
        }
    }

    /// The error answering `offer` throws, or nil.
    static func answerError(_ offer: String, options: AnswerOptions = Fixture.options()) -> SDPError? {
        Self.error {
            _ = try Answer(to: SessionDescription(parsing: offer), options: options)
        }
    }
}
