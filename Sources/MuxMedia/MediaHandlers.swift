import Logging
import MuxCore
import MuxCrypto
import MuxSecure

/// For a session, the mask its handler XORs the offer's SSRCs with before sending them back
/// (`MediaHandlers.answerSSRCMasks`).
public typealias AnswerSSRCMask = @Sendable (SessionID) -> UInt32

/// Makes the media handler of one session, for a handler of an embedding program that wants DTLS-SRTP
/// terminated in front of it (`MediamuxApp.build(mediaHandlers:)`); nil when the session cannot have one (an
/// `rtp` session without its plain port), and its datagrams are then dropped.
public typealias MediaHandlerFactory = @Sendable (SessionContext) -> (any MediaHandler)?

/// The media handlers an API request may name, each behind DTLS-SRTP termination.
public enum MediaHandlers {
    public static let names = ["echo", "room", "rtp"]

    /// The handlers whose SDP answer announces the SSRCs they send (RFC 5576), by name: the mask their SSRCs are
    /// the offer's XORed with, for a session. The echo's are `EchoSSRCMask`'s; the others announce none.
    public static let answerSSRCMasks: [String: AnswerSSRCMask] = [
        "echo": { EchoSSRCMask(session: $0).value }
    ]

    /// The built-in ones (`names`) and `extra`, each behind a `SecureMediaHandler` on the given DTLS context; a
    /// name in `extra` replaces a built-in one.
    public static func factories(
        dtls: DTLSContext, settings: MediaSettings, metrics: MediaMetrics, logger: Logger,
        relay: RoomRelay = RoomRelay(), extra: [String: MediaHandlerFactory] = [:]
    ) -> [String: SessionHandlerFactory] {
        Self.builtIn(relay: relay).merging(extra) { _, extra in extra }.mapValues { makeMedia in
            { context in
                guard let media = makeMedia(context) else { return DiscardHandler() }
                return Self.secure(
                    context, dtls: dtls, settings: settings, metrics: metrics, logger: logger, media: media)
            }
        }
    }

    private static func builtIn(relay: RoomRelay) -> [String: MediaHandlerFactory] {
        [
            "echo": { EchoMediaHandler(mask: EchoSSRCMask(session: $0.id)) },
            "rtp": { context in context.plainPort.map { RTPBridgeMediaHandler(port: $0) } },
            "room": { RoomMediaHandler(relay: relay, context: $0) },
        ]
    }

    /// A DTLS engine cannot be made only if OpenSSL runs out of memory; the session then drops its media.
    private static func secure(
        _ context: SessionContext, dtls: DTLSContext, settings: MediaSettings, metrics: MediaMetrics, logger: Logger,
        media: any MediaHandler
    ) -> any SessionHandler {
        do {
            return try SecureMediaHandler(
                context: context, dtls: dtls, settings: settings, metrics: metrics, logger: logger, media: media)
        } catch {
            logger.error(
                "cannot start DTLS for a session", metadata: ["session": "\(context.id)", "error": "\(error)"])
            return DiscardHandler()
        }
    }
}
