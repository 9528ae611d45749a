import ArgumentParser
import Foundation
import Logging
import MuxAPI
import MuxConfig
import ServiceLifecycle

/// `mediamux`: one UDP port for many WebRTC sessions, and the HTTP API that creates them.
@main
struct Mediamux: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "A WebRTC media port multiplexer: ICE-lite on one UDP port, sessions created over HTTP.",
        discussion: """
            Any setting of the YAML file can be given as a flag or an environment variable instead:
            udp.port is --udp-port 7882 or MEDIAMUX_UDP_PORT=7882; limits.max_sessions_per_room is
            --limits-max-sessions-per-room 10 or MEDIAMUX_LIMITS_MAX_SESSIONS_PER_ROOM=10.
            Flags win over the environment, which wins over the file. See docs/configuration.md.
            """
    )

    @Option(name: .long, help: "The YAML configuration file, e.g. configs/single-port.yaml.")
    var config: String?

    @Option(name: .long, help: "Write the bound API and UDP addresses as JSON to this file once listening.")
    var readyFile: String?

    @Flag(name: .long, help: "Check the configuration, print the port mode and API address, and exit.")
    var checkConfig = false

    @Argument(parsing: .allUnrecognized, help: "Settings as flags, e.g. --udp-port 7882.")
    var settings: [String] = []

    func run() async throws {
        let loaded: LoadedSettings
        do {
            loaded = try SettingsLoader.load(
                configFile: self.config, environment: ProcessInfo.processInfo.environment, arguments: self.settings
            )
        } catch let error as ConfigurationError {
            throw ValidationError(error.description)
        }
        let settings = loaded.settings
        let logger = {
            var logger = Logger(label: "mediamux")
            logger.logLevel = Logger.Level(rawValue: loaded.logLevel) ?? .info
            return logger
        }()
        for name in loaded.unknownEnvironment {
            logger.warning("environment variable names no setting; ignored", metadata: ["name": "\(name)"])
        }
        if self.checkConfig {
            print(
                "configuration is valid: udp mode \(settings.mux.udp.mode.rawValue), api \(settings.api.host):\(settings.api.port)"
            )
            return
        }

        let readyFile = self.readyFile
        let app = try await MediamuxApp.build(settings: settings, logger: logger) { listening in
            logger.info("api listening", metadata: ["address": "\(listening.api)"])
            if let readyFile { ReadyFile.write(listening, to: readyFile, logger: logger) }
        }
        let group = ServiceGroup(
            configuration: .init(services: app.services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        )
        try await group.run()
    }
}
