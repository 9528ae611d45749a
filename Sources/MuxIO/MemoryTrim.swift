import CMuxSockets

extension UDPTransport {
    /// Gives the pages that freed memory left behind back to the kernel (glibc's `malloc_trim`). Most of a
    /// session's memory is its DTLS association, freed once its peer's SRTP flows; glibc keeps freed memory for
    /// reuse, so without this a burst of setups would leave the resident size at its peak. Called off the
    /// packet threads, every `trimInterval`.
    public func trimFreedMemory() {
        let started = ContinuousClock.now
        mm_malloc_trim()
        self.logger.debug("memory trimmed", metadata: ["took": "\(ContinuousClock.now - started)"])
    }

    public static let trimInterval: Duration = .seconds(10)
}
