import MuxIO
import MuxSessions
import MuxWire
import NIOCore
import NIOHTTPTypes

/// Admits a new API connection through the `ConnectionGate`, or closes it at once, before it costs a read.
final class ConnectionGateHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    private let gate: ConnectionGate
    private let metrics: APIConnectionMetrics
    /// `released`: refused, or closed after being admitted; nothing is held for it either way.
    private enum Decision { case pending, admitted(IPAddress?), released }
    private var decision = Decision.pending

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
        if case .admitted(let ip) = self.decision {
            self.gate.release(ip)
            self.metrics.open.record(self.gate.open)
        }
        self.decision = .released
        context.fireChannelInactive()
    }

    private func admit(_ context: ChannelHandlerContext) {
        guard case .pending = self.decision else { return }
        let ip = context.channel.remoteAddress.flatMap(TransportAddress.init)?.ip
        if let refusal = self.gate.admit(ip) {
            self.decision = .released
            self.metrics.refused[refusal]?.increment()
            context.close(promise: nil)
            return
        }
        self.decision = .admitted(ip)
        self.metrics.open.record(self.gate.open)
    }
}
