import MuxCore
import MuxICE
import MuxWire
import NIOCore

/// Receives every datagram of one socket, asks the router what to do, and does it: count a drop,
/// answer a check on the same socket (so the reply leaves from the address the peer sent to), or call
/// the session's handler. Replies are flushed once per read batch, which NIO turns into sendmmsg.
final class DatagramInboundHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    private let socket: SocketID
    private let router: SessionRouter
    private let counters: SocketCounters

    init(socket: SocketID, router: SessionRouter, counters: SocketCounters) {
        self.socket = socket
        self.router = router
        self.counters = counters
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = Self.unwrapInboundIn(data)
        let datagram = envelope.data
        let packetClass = datagram.withUnsafeReadableBytes { PacketClass(datagram: $0) }
        self.counters.received(packetClass, bytes: datagram.readableBytes)
        guard let remote = TransportAddress(envelope.remoteAddress) else {
            self.counters.dropped(.malformed)
            return
        }
        let tuple = FiveTuple(socket: self.socket, remote: remote)
        let now = ContinuousClock.now
        let decision = datagram.withUnsafeReadableBytes {
            self.router.route($0, class: packetClass, on: tuple, now: now)
        }
        switch decision {
        case .drop(let reason):
            self.counters.dropped(reason)
        case .reply(let response, let refused):
            if let refused { self.counters.dropped(refused) }
            let buffer = context.channel.allocator.buffer(bytes: response)
            context.write(Self.wrapOutboundOut(AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: buffer)), promise: nil)
            self.counters.sent(.stun, bytes: response.count)
        case .deliver(let handler):
            handler.handleDatagram(datagram, class: packetClass, from: tuple, now: now)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
    }

    /// ICMP errors from earlier sends (a peer gone away) surface here; they concern no one else.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {}
}
