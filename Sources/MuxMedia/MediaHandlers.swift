import Logging
import MuxCore
import MuxCrypto
import MuxSecure

/// For a session, the mask its handler XORs the offer's SSRCs with before sending them back
/// (`MediaHandlers.answerSSRCMasks`).
public typealias AnswerSSRCMask = @Sendable (SessionID) -> UInt32

/// Makes the media handler of one session, for a handler of an embedding program that wants DTLS-SRTP
/// terminated in front of it (`MediamuxApp.build(mediaHandlers:)`).
public typealias MediaHandlerFactory = @Sendable (SessionContext) -> any MediaHandler

/// The media handlers an API request may name, each behind DTLS-SRTP termination.
public enum MediaHandlers {
    public static let names = ["echo", "room", "rtp"]

    /// The handlers whose SDP answer announces the SSRCs they send (RFC 5576), by name: the mask their SSRCs are
    /// the offer's XORed with, for a session. The echo's are `EchoSSRCMask`'s; the others announce none.
    public static let answerSSRCMasks: [String: AnswerSSRCMask] = [
        "echo": { EchoSSRCMask(session: $0).value }
    ]

    /// The built-in ones (`names`) and `extra`, each behind a `SecureMediaHandler` on the given DTLS context.
    public static func factories(
        dtls: DTLSContext, settings: MediaSettings, metrics: MediaMetrics, logger: Logger,
        relay: RoomRelay = RoomRelay(), extra: [String: MediaHandlerFactory] = [:]
    ) -> [String: SessionHandlerFactory] {
        let extra = extra.mapValues { makeMedia -> SessionHandlerFactory in
            { context in
                Self.secure(
                    context, dtls: dtls, settings: settings, metrics: metrics, logger: logger, media: makeMedia(context)
                )
            }
        }
        return extra.merging(
            Self.builtIn(dtls: dtls, settings: settings, metrics: metrics, logger: logger, relay: relay)
        ) {
            extra, _ in extra
        }
    }

    private static func builtIn(
        dtls: DTLSContext, settings: MediaSettings, metrics: MediaMetrics, logger: Logger, relay: RoomRelay
    ) -> [String: SessionHandlerFactory] {
        [
            "echo": { context in
                Self.secure(
                    context, dtls: dtls, settings: settings, metrics: metrics, logger: logger,
                    media: EchoMediaHandler(mask: EchoSSRCMask(session: context.id)))
            },
            "rtp": { context in
                guard let port = context.plainPort else { return DiscardHandler() }
                return Self.secure(
                    context, dtls: dtls, settings: settings, metrics: metrics, logger: logger,
                    media: RTPBridgeMediaHandler(port: port)
                )
            },
            "room": { context in
                let media = RoomMediaHandler(relay: relay, context: context)
                return Self.secure(
                    context, dtls: dtls, settings: settings, metrics: metrics, logger: logger, media: media)
            },
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
