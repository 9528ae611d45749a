import Hummingbird
import HummingbirdCore
import Logging
import Metrics
import MuxCluster
import MuxCore
import MuxCrypto
import MuxIO
import MuxMedia
import MuxSessions
import NIOCore
import Prometheus
import ServiceLifecycle

/// mediamux assembled: the UDP mux and the HTTP API with its metrics, sharing one Prometheus registry.
/// Tests build the same thing on port 0.
public struct MediamuxApp: Sendable {
    public let mux: SessionManager
    public let api: Application<RouterResponder<BasicRequestContext>>
    public let registry: PrometheusCollectorRegistry
    /// The shared store of a cluster; nil for one node.
    public let cluster: ClusterStore?
    let drain: NodeDrain?

    /// Binds the UDP sockets and prepares the API; nothing runs until `services` do.
    /// `admission` is where session counts live (nil: `LocalAdmission` with the configured limits);
    /// `handlers` adds handlers of the embedding program to the built-in ones, by name, and `mediaHandlers` adds
    /// those that want decrypted media, behind DTLS-SRTP on mediamux's certificate; a name in both is
    /// `handlers`'. `answerSSRCMasks` names those among them whose answers announce the SSRCs they send (as the
    /// echo's do).
    /// `onListening` learns the bound addresses (the real ports when 0 was configured).
    public static func build(
        settings: AppSettings, logger: Logger, admission: (any AdmissionStore)? = nil,
        handlers extraHandlers: [String: SessionHandlerFactory] = [:],
        mediaHandlers: [String: MediaHandlerFactory] = [:],
        answerSSRCMasks extraMasks: [String: AnswerSSRCMask] = [:],
        onListening: @escaping @Sendable (ListeningAddresses) async -> Void = { _ in }
    ) async throws -> MediamuxApp {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets[UDPTransport.residenceLabel] = UDPTransport.residenceBuckets
        BuildInfo.record(factory: factory, logger: logger)
        // A cluster's store is where counts live; a given store (tests, embedders) wins over both.
        let cluster = settings.cluster.map { cluster in
            ClusterStore(
                settings: cluster, limits: settings.mux.limits,
                node: .init(api: cluster.advertiseAPI ?? "", media: [], capacity: settings.mux.limits.maxSessionsTotal),
                logger: logger)
        }
        let admission = admission ?? cluster ?? LocalAdmission(limits: settings.mux.limits)
        let certificate = try Self.certificate(settings)
        let dtls = try DTLSContext(certificate: certificate)
        if !DTLSEngine.clockFollowsCaller {
            // Something replaced gettimeofday before mediamux (libfaketime, say): still safe, but DTLS
            // retransmissions then follow the system's clock instead of the packet threads' (architecture.md).
            logger.warning("OpenSSL does not read mediamux's clock: gettimeofday is interposed by something else")
        }
        let mediaMetrics = MediaMetrics(factory: factory, threads: settings.mux.udp.packetThreadCount)
        let media = MediaHandlers.factories(
            dtls: dtls, settings: settings.media, metrics: mediaMetrics, logger: logger, extra: mediaHandlers)
        let handlers = SessionManager.standardHandlers.merging(media) { _, media in media }.merging(extraHandlers) {
            _, extra in
            extra
        }
        let mux = try await SessionManager.bind(
            settings: settings.mux, admission: admission, metricsFactory: factory, handlers: handlers,
            handlerCounters: [mediaMetrics.perPacket], logger: logger
        )

        let router = Hummingbird.Router(context: BasicRequestContext.self)
        router.add(middleware: JSONErrorMiddleware())
        router.add(
            middleware: MethodNotAllowedMiddleware(
                routes: [
                    (["healthz"], [.get]), (["metrics"], [.get]), (["v1", "rooms"], [.get]),
                    (["v1", "rooms", "*", "sessions"], [.get, .post]), (["v1", "sessions", "*"], [.get, .delete]),
                    (["v1", "cluster", "nodes"], [.get]), (["v1", "cluster", "nodes", "*", "drain"], [.post]),
                ] + (settings.api.servesDemo ? [(["demo"], [.get])] : [])))
        router.add(
            middleware: BearerAuthMiddleware(apiToken: settings.api.token, metricsToken: settings.api.metricsToken))
        let drain = cluster.map {
            NodeDrain(mux: mux, store: $0, timeout: settings.drainTimeout, logger: logger)
        }
        router.get("/healthz") { _, _ in
            // 503 while draining, so a readiness probe takes the node out of rotation.
            guard drain?.isDraining == true else { return Self.health("ok", status: .ok) }
            return Self.health("draining", status: .serviceUnavailable)
        }
        router.get("/metrics") { _, _ in
            mux.publishCounters()
            return Self.metricsResponse(registry)
        }
        if settings.api.servesDemo {
            router.get("/demo") { _, _ in
                Response(
                    status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                    body: .init(byteBuffer: ByteBuffer(string: DemoPage.html))
                )
            }
        }
        if let cluster {
            router.add(middleware: ClusterForwarding(store: cluster, mux: mux, nodeID: settings.mux.nodeID))
        }
        ClusterRoutes(
            store: cluster, drain: drain, mux: mux, nodeID: settings.mux.nodeID,
            capacity: settings.mux.limits.maxSessionsTotal
        )
        .add(to: router)
        SessionRoutes(
            mux: mux, fingerprint: .sha256(certificate.sha256), codecs: settings.codecs,
            allowedRTPSinks: settings.mux.allowedRTPSinks,
            answerSSRCMasks: MediaHandlers.answerSSRCMasks.merging(extraMasks) { _, extra in extra },
            maxCreatesPerSecond: settings.api.maxCreatesPerSecond
        ).add(to: router)

        let api = Application(
            router: router,
            server: .http1(
                configuration: Self.httpConfiguration(settings.api.limits, factory: factory, logger: logger)),
            // A deep accept queue, so a burst of connections waits in the kernel instead of retrying SYNs
            // (the kernel caps it at net.core.somaxconn).
            configuration: .init(
                address: .hostname(settings.api.host, port: settings.api.port), serverName: "mediamux", backlog: 4096
            ),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? settings.api.port
                if let cluster, settings.cluster?.advertiseAPI == nil {
                    let host = settings.api.host.contains(":") ? "[\(settings.api.host)]" : settings.api.host
                    cluster.describe(api: "http://\(host):\(port)", media: mux.singlePortAddresses.map { "\($0)" })
                } else {
                    cluster?.describe(
                        api: settings.cluster?.advertiseAPI ?? "", media: mux.singlePortAddresses.map { "\($0)" })
                }
                await onListening(
                    ListeningAddresses(
                        api: settings.api.host.contains(":")
                            ? "[\(settings.api.host)]:\(port)" : "\(settings.api.host):\(port)",
                        apiPort: port, udp: mux.singlePortAddresses.map { "\($0)" }
                    ))
            },
            logger: logger
        )
        return MediamuxApp(mux: mux, api: api, registry: registry, cluster: cluster, drain: drain)
    }

    /// Connection caps and request deadlines in front of every route (`HTTPLimits`).
    static func httpConfiguration(
        _ configured: HTTPLimits, factory: PrometheusMetricsFactory, logger: Logger
    ) -> HTTP1Channel.Configuration {
        var limits = configured
        let descriptors = FileDescriptorLimit.raise()
        limits.maxConnections = FileDescriptorLimit.connectionCap(
            configured: configured.maxConnections, descriptors: descriptors)
        if limits.maxConnections < configured.maxConnections {
            logger.warning(
                "api.max_connections lowered to half the open-file limit; raise the limit (LimitNOFILE=) to allow more",
                metadata: [
                    "configured": "\(configured.maxConnections)", "used": "\(limits.maxConnections)",
                    "open_files": "\(descriptors)",
                ]
            )
        }
        let gate = ConnectionGate(limits: limits)
        let deadlines = limits
        let metrics = APIConnectionMetrics(factory: factory)
        return HTTP1Channel.Configuration(
            additionalChannelHandlers: [
                ConnectionGateHandler(gate: gate, metrics: metrics),
                RequestDeadlineHandler(limits: deadlines, metrics: metrics),
            ]
        )
    }

    static func certificate(_ settings: AppSettings) throws -> DTLSCertificate {
        guard let certificatePath = settings.certificatePath, let keyPath = settings.privateKeyPath else {
            return try DTLSCertificate.generate()
        }
        return try DTLSCertificate.load(certificatePath: certificatePath, keyPath: keyPath)
    }

    /// All handler names a request may use.
    public static var handlerNames: [String] {
        (Array(SessionManager.standardHandlers.keys) + MediaHandlers.names).sorted()
    }

    /// Handlers a session may get without naming one: `rtp` needs a sink from each request.
    public static var defaultHandlerNames: [String] {
        self.handlerNames.filter { $0 != "rtp" }
    }

    /// The store first and the mux next, so on shutdown (reverse order) the API stops taking requests before
    /// sessions close, and sessions give their reservations back before the store's connections close. A
    /// cluster node's drain comes last, so it runs first, while the API still answers.
    public var services: [any Service] {
        (self.cluster.map { [$0] } ?? []) + [self.mux, self.api]
            + (self.drain.map { [DrainOnShutdown(drain: $0)] } ?? [])
    }

    static func metricsResponse(_ registry: PrometheusCollectorRegistry) -> Response {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16_384)
        registry.emit(into: &bytes)
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: bytes))
        )
    }
}

/// Where mediamux listens, once it does.
public struct ListeningAddresses: Sendable, Codable {
    public let api: String
    public let apiPort: Int
    public let udp: [String]
}

struct HealthDTO: ResponseEncodable {
    let status: String
}

extension MediamuxApp {
    static func health(_ status: String, status code: HTTPResponse.Status) -> EditedResponse<HealthDTO> {
        EditedResponse(status: code, response: HealthDTO(status: status))
    }
}
