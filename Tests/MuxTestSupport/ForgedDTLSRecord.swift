/// DTLS 1.2 records anyone can send without the association's keys: the shapes that once closed connected
/// sessions (an alert, a ChangeCipherSpec or short application data in the current epoch) and their neighbours.
public enum ForgedDTLSRecord {
    public static func record(
        type: UInt8, epoch: UInt16, sequence: UInt64 = 7, version: [UInt8] = [0xfe, 0xfd], body: [UInt8]
    ) -> [UInt8] {
        var record: [UInt8] = [type] + version + [UInt8(epoch >> 8), UInt8(truncatingIfNeeded: epoch)]
        for shift in stride(from: 40, through: 0, by: -8) {
            record.append(UInt8(truncatingIfNeeded: sequence >> UInt64(shift)))
        }
        record += [UInt8(body.count >> 8), UInt8(truncatingIfNeeded: body.count)]
        return record + body
    }

    /// Every shape, named, one datagram each. None of them authenticates.
    public static let shapes: [(name: String, datagram: [UInt8])] = {
        let fatalAlert: [UInt8] = [2, 40]
        var shapes: [(String, [UInt8])] = [
            ("fatal alert, epoch 1 (15 bytes)", record(type: 21, epoch: 1, body: fatalAlert)),
            ("close_notify, epoch 1", record(type: 21, epoch: 1, body: [1, 0])),
            ("change_cipher_spec, epoch 1", record(type: 20, epoch: 1, body: [1])),
            ("handshake, epoch 1, 12 bytes", record(type: 22, epoch: 1, body: Array(repeating: 0, count: 12))),
            ("application data, epoch 1, 40 bytes", record(type: 23, epoch: 1, body: (0..<40).map { UInt8($0) })),
            ("fatal alert, epoch 1, 40 bytes", record(type: 21, epoch: 1, body: (0..<40).map { UInt8(255 - $0) })),
            ("fatal alert, epoch 0 (plaintext)", record(type: 21, epoch: 0, body: fatalAlert)),
            ("change_cipher_spec, epoch 0", record(type: 20, epoch: 0, body: [1])),
            ("handshake, epoch 0", record(type: 22, epoch: 0, body: [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])),
            ("fatal alert, epoch 2", record(type: 21, epoch: 2, body: fatalAlert)),
            ("fatal alert, DTLS 1.0", record(type: 21, epoch: 1, version: [0xfe, 0xff], body: fatalAlert)),
            ("unknown content type 24", record(type: 24, epoch: 1, body: Array(repeating: 1, count: 30))),
            ("torn header", Array(record(type: 21, epoch: 1, body: fatalAlert).prefix(8))),
            (
                "length past the end",
                Array(record(type: 23, epoch: 1, body: Array(repeating: 9, count: 30)).dropLast(4))
            ),
            ("empty body, epoch 1", record(type: 23, epoch: 1, body: [])),
            (
                "a long record then a short alert",
                record(type: 23, epoch: 1, body: Array(repeating: 3, count: 48))
                    + record(type: 21, epoch: 1, sequence: 8, body: fatalAlert)
            ),
        ]
        for length in 1...23 {
            shapes.append(
                (
                    "application data, epoch 1, \(length) bytes",
                    record(type: 23, epoch: 1, body: Array(repeating: 0x5a, count: length))
                ))
        }
        return shapes
    }()
}
