import MuxWire

/// Why the UDP side could not start.
public enum UDPTransportError: Error, CustomStringConvertible {
    case noLocalAddress([String])
    /// Another socket joined the SO_REUSEPORT group while it was being bound.
    case portShared(TransportAddress)

    public var description: String {
        switch self {
        case .noLocalAddress(let configured):
            "udp.bind \(configured) matches no address of this host"
        case .portShared(let address):
            "another socket took a share of \(address) (SO_REUSEPORT) while mediamux bound it"
        }
    }
}
