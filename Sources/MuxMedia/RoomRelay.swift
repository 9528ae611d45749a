import MuxCore
import Synchronization

/// The connected media sessions of every room, for the `room` handler. Shared by all sessions.
public final class RoomRelay: Sendable {
    struct Member: Sendable {
        let id: SessionID
        let sender: any MediaSender
    }

    /// One room's members. Joining and leaving replace the list; a forward takes it with one retain under
    /// the lock and sends outside it, so relaying allocates nothing and never holds the lock while sending.
    final class Room: Sendable {
        fileprivate let members = Mutex<[Member]>([])

        var snapshot: [Member] { self.members.withLock { $0 } }
    }

    private let rooms = Mutex<[String: Room]>([:])

    public init() {}

    func join(room name: String, id: SessionID, sender: any MediaSender) -> Room {
        self.rooms.withLock { rooms in
            let room = rooms[name] ?? Room()
            rooms[name] = room
            room.members.withLock { $0.append(Member(id: id, sender: sender)) }
            return room
        }
    }

    func leave(room name: String, id: SessionID) {
        self.rooms.withLock { rooms in
            guard let room = rooms[name] else { return }
            let empty = room.members.withLock { members in
                members.removeAll { $0.id == id }
                return members.isEmpty
            }
            if empty { rooms[name] = nil }
        }
    }

    /// Sends the packet to every other member; each re-encrypts it with its own keys.
    func forward(_ packet: UnsafeRawBufferPointer, isRTCP: Bool, from id: SessionID, in room: Room) {
        for member in room.snapshot where member.id != id {
            member.sender.sendMedia(packet, isRTCP: isRTCP)
        }
    }

    /// Members of a room, for tests and the API.
    public func memberCount(room name: String) -> Int {
        self.rooms.withLock { $0[name] }?.snapshot.count ?? 0
    }
}

/// Relays a session's media to the other sessions of its room once DTLS is up: a small SFU without
/// simulcast or bandwidth adaptation, for 1:1 calls and small rooms. RTCP goes everywhere too, so
/// feedback such as PLI and NACK reaches the sender of the stream it names.
public final class RoomMediaHandler: MediaHandler {
    private struct Membership {
        var room: RoomRelay.Room?
        var closed = false
    }

    private let relay: RoomRelay
    private let id: SessionID
    private let roomName: String
    /// Joining and leaving under one lock, so a close that overtakes the handshake leaves no member behind.
    private let membership = Mutex(Membership())

    public init(relay: RoomRelay, context: SessionContext) {
        self.relay = relay
        self.id = context.id
        self.roomName = context.room
    }

    public func handleMediaReady(sender: any MediaSender) {
        self.membership.withLock { membership in
            guard !membership.closed, membership.room == nil else { return }
            membership.room = self.relay.join(room: self.roomName, id: self.id, sender: sender)
        }
    }

    public func handleMedia(_ packet: UnsafeRawBufferPointer, isRTCP: Bool) {
        guard let room = self.membership.withLock({ $0.room }) else { return }
        self.relay.forward(packet, isRTCP: isRTCP, from: self.id, in: room)
    }

    public func handleClose(reason: CloseReason) {
        self.membership.withLock { membership in
            membership.closed = true
            if membership.room != nil { self.relay.leave(room: self.roomName, id: self.id) }
            membership.room = nil
        }
    }
}
