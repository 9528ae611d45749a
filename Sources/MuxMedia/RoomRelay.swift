import MuxCore
import NIOCore
import Synchronization

/// The connected media sessions of every room, for the `room` handler. Shared by all sessions.
public final class RoomRelay: Sendable {
    private struct Member {
        let id: SessionID
        let sender: any MediaSender
    }

    private let rooms = Mutex<[String: [Member]]>([:])

    public init() {}

    func join(room: String, id: SessionID, sender: any MediaSender) {
        self.rooms.withLock { $0[room, default: []].append(Member(id: id, sender: sender)) }
    }

    func leave(room: String, id: SessionID) {
        self.rooms.withLock { rooms in
            rooms[room]?.removeAll { $0.id == id }
            if rooms[room]?.isEmpty == true { rooms[room] = nil }
        }
    }

    /// Sends the packet to every other member; each re-encrypts it with its own keys.
    func forward(_ packet: ByteBuffer, isRTCP: Bool, from id: SessionID, in room: String) {
        let others = self.rooms.withLock { $0[room]?.filter { $0.id != id } ?? [] }
        for member in others {
            member.sender.sendMedia(packet, isRTCP: isRTCP)
        }
    }

    /// Members of a room, for tests and the API.
    public func memberCount(room: String) -> Int {
        self.rooms.withLock { $0[room]?.count ?? 0 }
    }
}

/// Relays a session's media to the other sessions of its room once DTLS is up: a small SFU without
/// simulcast or bandwidth adaptation, for 1:1 calls and small rooms. RTCP goes everywhere too, so
/// feedback such as PLI and NACK reaches the sender of the stream it names.
public final class RoomMediaHandler: MediaHandler {
    private let relay: RoomRelay
    private let id: SessionID
    private let room: String
    /// Joining and leaving under one lock, so a close that overtakes the handshake leaves no member behind.
    private let membership = Mutex<(joined: Bool, closed: Bool)>((false, false))

    public init(relay: RoomRelay, context: SessionContext) {
        self.relay = relay
        self.id = context.id
        self.room = context.room
    }

    public func handleMediaReady(sender: any MediaSender) {
        self.membership.withLock { membership in
            guard !membership.closed, !membership.joined else { return }
            self.relay.join(room: self.room, id: self.id, sender: sender)
            membership.joined = true
        }
    }

    public func handleMedia(_ packet: ByteBuffer, isRTCP: Bool) {
        self.relay.forward(packet, isRTCP: isRTCP, from: self.id, in: self.room)
    }

    public func handleClose(reason: CloseReason) {
        self.membership.withLock { membership in
            membership.closed = true
            if membership.joined { self.relay.leave(room: self.room, id: self.id) }
        }
    }
}
