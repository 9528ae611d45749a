/// How much of an offer mediamux reads, so that the work and the answer of one request stay bounded
/// whatever the offer says. A browser's offer for a call is a few kilobytes with two or three m-sections.
public enum SDPLimits {
    /// Longest offer, in bytes of UTF-8.
    public static let offerBytes = 128 * 1024
    /// Most m-sections in one offer.
    public static let mediaSections = 64
    /// Most distinct formats (payload types) on one m= line; a repeated one counts once. RTP has 128.
    public static let formatsPerSection = 128
}
