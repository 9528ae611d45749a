import NIOCore
import NIOHTTPTypes

/// Closes a connection that is slow to send its request, or idle between requests, so that connections
/// held open without a request cannot pile up (slowloris). The deadlines are `HTTPLimits`' timeouts.
final class RequestDeadlineHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private enum Phase { case awaitingHead, readingBody, responding, idle }

    private let limits: HTTPLimits
    private let metrics: APIConnectionMetrics
    private var phase = Phase.awaitingHead
    private var deadline: Scheduled<Void>?

    init(limits: HTTPLimits, metrics: APIConnectionMetrics) {
        self.limits = limits
        self.metrics = metrics
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { self.enter(.awaitingHead, context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.deadline?.cancel()
    }

    func channelActive(context: ChannelHandlerContext) {
        if self.deadline == nil { self.enter(.awaitingHead, context) }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.deadline?.cancel()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch self.unwrapInboundIn(data) {
        case .head: self.enter(.readingBody, context)
        case .end: self.enter(.responding, context)
        case .body: break
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        // A pipelined request that arrived meanwhile keeps its own deadline.
        if case .end = self.unwrapOutboundIn(data), self.phase == .responding { self.enter(.idle, context) }
        context.write(data, promise: promise)
    }

    private func enter(_ phase: Phase, _ context: ChannelHandlerContext) {
        self.phase = phase
        self.deadline?.cancel()
        self.deadline = nil
        let (timeout, closure): (TimeAmount, APIConnectionMetrics.Closure)
        switch phase {
        case .awaitingHead: (timeout, closure) = (self.limits.headerTimeout, .headerTimeout)
        case .readingBody: (timeout, closure) = (self.limits.bodyTimeout, .bodyTimeout)
        case .idle: (timeout, closure) = (self.limits.idleTimeout, .idleTimeout)
        case .responding: return
        }
        let metrics = self.metrics
        let channel = context.channel
        self.deadline = context.eventLoop.scheduleTask(in: timeout) {
            metrics.closed[closure]?.increment()
            channel.close(promise: nil)
        }
    }
}
