import FuzzSupport
import MuxCrypto

/// Inbound SRTP and SRTCP with the seed packets' keys. libsrtp2 reads the RTP header (CSRC count, header
/// extension) and the SRTCP index before it authenticates anything, so those parsers face raw input.
nonisolated(unsafe) let inbound = try! SRTPContext(
    profile: .aeadAES128GCM, key: FuzzCredentials.srtpKey, salt: FuzzCredentials.srtpSalt, inbound: true)

/// The first byte picks RTP (even) or RTCP (odd); the rest is the packet.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSRTP(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0, size <= 2049 else { return 0 }
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: size - 1 + SRTPContext.maxTrailer, alignment: 16)
    defer { buffer.deallocate() }
    buffer.copyMemory(from: UnsafeRawBufferPointer(start: data + 1, count: size - 1))
    if case .success(let length) = inbound.unprotect(buffer, length: size - 1, isRTCP: data[0] & 1 == 1) {
        precondition(length <= size - 1)
    }
    return 0
}
