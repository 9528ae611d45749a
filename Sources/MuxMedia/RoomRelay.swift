import MuxCore
import Synchronization

/// The connected media sessions of every room, for the `room` handler. Shared by all sessions.
public final class RoomRelay: Sendable {
    struct Member: Sendable {
        let id: SessionID
        let sender: any MediaSender
    }

    /// One room's members, and a version raised under their lock at every join and leave. Each member keeps
    /// its own copy of the others (`Others`) and takes this lock only when the version moved, so forwarding
    /// takes no lock that the room's other members take too, allocates nothing, and never sends under a lock.
    final class Room: Sendable {
        fileprivate let members = Mutex<[Member]>([])
        private let version = Atomic<UInt64>(0)

        var snapshot: [Member] { self.members.withLock { $0 } }

        /// Applies a join or a leave and says whether the room is left empty.
        fileprivate func update(_ change: (inout [Member]) -> Void) -> Bool {
            self.members.withLock { members in
                change(&members)
                self.version.wrappingAdd(1, ordering: .releasing)
                return members.isEmpty
            }
        }

        /// Brings `others` up to date if a member joined or left since it was copied.
        func refresh(_ others: inout Others, excluding id: SessionID) {
            guard self.version.load(ordering: .acquiring) != others.version else { return }
            self.members.withLock { members in
                // A list of its own (filter makes a new buffer): no member shares a reference count with another.
                others.members = members.filter { $0.id != id }
                others.version = self.version.load(ordering: .relaxed)
            }
        }
    }

    /// One member's copy of the others in its room, as of `version`.
    struct Others: Sendable {
        var members: [Member] = []
        var version = UInt64.max
    }

    private let rooms = Mutex<[String: Room]>([:])

    public init() {}

    func join(room name: String, id: SessionID, sender: any MediaSender) -> Room {
        self.rooms.withLock { rooms in
            let room = rooms[name] ?? Room()
            rooms[name] = room
            _ = room.update { $0.append(Member(id: id, sender: sender)) }
            return room
        }
    }

    func leave(room name: String, id: SessionID) {
        self.rooms.withLock { rooms in
            guard let room = rooms[name] else { return }
            let empty = room.update { $0.removeAll { $0.id == id } }
            if empty { rooms[name] = nil }
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
        var others = RoomRelay.Others()
        var closed = false
    }

    private let relay: RoomRelay
    private let id: SessionID
    private let roomName: String
    /// Joining and leaving under one lock, so a close that overtakes the handshake leaves no member behind.
    /// The session's own: only its packets take it.
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

    /// Sends the packet to every other member; each re-encrypts it with its own keys.
    public func handleMedia(_ packet: UnsafeRawBufferPointer, isRTCP: Bool) {
        let others = self.membership.withLock { membership -> [RoomRelay.Member] in
            guard let room = membership.room else { return [] }
            room.refresh(&membership.others, excluding: self.id)
            return membership.others.members
        }
        for member in others { member.sender.sendMedia(packet, isRTCP: isRTCP) }
    }

    public func handleClose(reason: CloseReason) {
        self.membership.withLock { membership in
            membership.closed = true
            if membership.room != nil { self.relay.leave(room: self.roomName, id: self.id) }
            membership.room = nil
            membership.others = RoomRelay.Others()
        }
    }
}
