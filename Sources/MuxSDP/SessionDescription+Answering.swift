extension SessionDescription {
    /// The mid of every m-section, in order. JSEP (RFC 8829, section 5.2.1) gives every m-section one, and the
    /// answer must repeat it; a missing or repeated mid makes the offer unanswerable.
    func checkedMids() throws(SDPError) -> [String] {
        var mids: [String] = []
        var seen: Set<String> = []
        for section in self.media {
            guard let mid = section.mid else {
                throw SDPError.missingMid(index: section.index, kind: section.kind)
            }
            guard seen.insert(mid).inserted else {
                throw SDPError.duplicateMid(mid)
            }
            mids.append(mid)
        }
        return mids
    }

    /// The first BUNDLE group, after checking every BUNDLE group lists mids that exist.
    func checkedBundle() throws(SDPError) -> [String]? {
        for group in self.groups where group.isBundle {
            guard !group.mids.isEmpty else {
                throw SDPError.bundleWithoutMids
            }
            for mid in group.mids where self.section(mid: mid) == nil {
                throw SDPError.unknownBundleMid(mid)
            }
        }
        return self.bundle
    }
}
