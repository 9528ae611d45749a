import Foundation
import Logging
import MuxAPI

/// Tells a supervisor or a test where mediamux listens: JSON written to a temporary file, then renamed,
/// so a reader never sees half of it.
enum ReadyFile {
    static func write(_ listening: ListeningAddresses, to path: String, logger: Logger) {
        do {
            let encoder = JSONEncoder()
            encoder.keyEncodingStrategy = .convertToSnakeCase
            let data = try encoder.encode(listening)
            let temporary = path + ".tmp"
            try data.write(to: URL(fileURLWithPath: temporary))
            guard rename(temporary, path) == 0 else { throw CocoaError(.fileWriteUnknown) }
        } catch {
            logger.error("cannot write the ready file", metadata: ["path": "\(path)", "error": "\(error)"])
        }
    }
}
