import MuxCore
import MuxWire
import NIOCore
import NIOPosix
import Synchronization

/// A session's plain RTP port: a UDP socket that sends to one sink and hands what the sink's host sends
/// back to the session's handler.
final class PlainUDPPort: PlainPort {
    let local: TransportAddress
    let sink: TransportAddress
    private let channel: any Channel
    private let sinkAddress: SocketAddress
    private let receiver: Receiver

    /// Holds the handler's callback; the channel handler reads it for every datagram.
    final class Receiver: Sendable {
        let callback = Mutex<(@Sendable (ByteBuffer) -> Void)?>(nil)
        let sinkIP: IPAddress

        init(sinkIP: IPAddress) {
            self.sinkIP = sinkIP
        }
    }

    static func bind(on ip: IPAddress, sink: TransportAddress, group: any EventLoopGroup) async throws -> PlainUDPPort {
        let receiver = Receiver(sinkIP: sink.ip)
        let channel = try await DatagramBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Inbound(receiver: receiver))
                }
            }
            .bind(host: "\(ip)", port: 0).get()
        let local = channel.localAddress.flatMap { TransportAddress($0) } ?? TransportAddress(ip: ip, port: 0)
        return PlainUDPPort(local: local, sink: sink, channel: channel, receiver: receiver)
    }

    private init(local: TransportAddress, sink: TransportAddress, channel: any Channel, receiver: Receiver) {
        self.local = local
        self.sink = sink
        self.channel = channel
        self.sinkAddress = SocketAddress(sink)
        self.receiver = receiver
    }

    func send(_ packet: ByteBuffer) {
        self.channel.writeAndFlush(AddressedEnvelope(remoteAddress: self.sinkAddress, data: packet), promise: nil)
    }

    func onReceive(_ receive: @escaping @Sendable (ByteBuffer) -> Void) {
        self.receiver.callback.withLock { $0 = receive }
    }

    func close() {
        self.receiver.callback.withLock { $0 = nil }
        self.channel.close(promise: nil)
    }

    private final class Inbound: ChannelInboundHandler {
        typealias InboundIn = AddressedEnvelope<ByteBuffer>
        let receiver: Receiver

        init(receiver: Receiver) {
            self.receiver = receiver
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let envelope = Self.unwrapInboundIn(data)
            // Only the tool's host may inject media into the session.
            guard TransportAddress(envelope.remoteAddress)?.ip == self.receiver.sinkIP,
                let callback = self.receiver.callback.withLock({ $0 })
            else { return }
            ReadInstant.with(.now) { callback(envelope.data) }
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {}
    }
}
