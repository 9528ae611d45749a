/// Why the UDP side could not start.
public enum UDPMuxError: Error, CustomStringConvertible {
    case noLocalAddress([String])

    public var description: String {
        switch self {
        case .noLocalAddress(let configured):
            "udp.bind \(configured) matches no address of this host"
        }
    }
}
