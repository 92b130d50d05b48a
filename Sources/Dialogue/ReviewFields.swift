/// The fields of a stored event that belong to the review of drafts: an officer's
/// `reason` for rejecting a draft and who rejected it (`rejectedBy`). They are stored (the
/// record is whole and signed) but delivered only to readers who see drafts; everyone else
/// (investors, reviewers watching live) gets the `status` event without them.
package enum ReviewFields {
    /// Members of a `status` event kept for readers who see drafts.
    package static let statusMembers = ["reason", "rejectedBy"]

    /// The canonical body a reader who does not see drafts gets, or nil when it is the
    /// stored one unchanged (every kind but a `status` carrying review fields).
    package static func canonicalForReadersWithoutDrafts(kind: EventKind, canonical: [UInt8]) -> [UInt8]? {
        guard kind == .status, statusMembers.contains(where: { contains(canonical, member: $0) }),
            case .object(var members)? = try? JSONParser.parse(canonical)
        else { return nil }
        let before = members.count
        for key in statusMembers { members[key] = nil }
        return members.count == before ? nil : JSONWriter.bytes(.object(members))
    }

    /// Whether `"name":` occurs in the bytes: a cheap test before parsing (a status event
    /// has no free text in which it could occur otherwise, but a false hit only costs a parse).
    private static func contains(_ bytes: [UInt8], member name: String) -> Bool {
        let needle = Array("\"\(name)\":".utf8)
        guard bytes.count >= needle.count else { return false }
        for start in 0...(bytes.count - needle.count) where bytes[start] == needle[0] {
            if bytes[start..<start + needle.count].elementsEqual(needle) { return true }
        }
        return false
    }
}
