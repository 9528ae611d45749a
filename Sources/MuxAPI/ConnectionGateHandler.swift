import MuxIO
import MuxWire
import NIOCore
import NIOHTTPTypes

/// Admits a new API connection through the `ConnectionGate`, or closes it at once, before it costs a read.
final class ConnectionGateHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    private let gate: ConnectionGate
    private let metrics: APIConnectionMetrics
    private var admitted: IPAddress??

    init(gate: ConnectionGate, metrics: APIConnectionMetrics) {
        self.gate = gate
        self.metrics = metrics
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { self.admit(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        self.admit(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        if case .some(let ip) = self.admitted {
            self.gate.release(ip)
            self.metrics.open.record(self.gate.open)
            self.admitted = nil
        }
        context.fireChannelInactive()
    }

    private func admit(_ context: ChannelHandlerContext) {
        guard self.admitted == nil else { return }
        let ip = context.channel.remoteAddress.flatMap(TransportAddress.init)?.ip
        if let refusal = self.gate.admit(ip) {
            self.metrics.refused[refusal]?.increment()
            context.close(promise: nil)
            return
        }
        self.admitted = .some(ip)
        self.metrics.open.record(self.gate.open)
    }
}
