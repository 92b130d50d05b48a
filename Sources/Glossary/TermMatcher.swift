/// Finds every form of every concept in a text at once: an Aho–Corasick automaton over the
/// forms' loose keys, so the cost follows the text's length, not the glossary's size.
///
/// Candidates are then checked: word boundaries for scripts written with spaces (`port` is
/// not in `report`), syllable boundaries for Korean, none for Chinese and Japanese; and a
/// loose spelling shared by several concepts (`thue dat`: *thuê đất* or *thuế đất*) only
/// counts when the text has one of the exact spellings. The longest candidate wins.
struct TermMatcher: Sendable {
    /// What a loose key stands for: every (concept, column, exact spelling) folding to it.
    struct Pattern: Sendable {
        var length: Int
        var owners: [(concept: Int32, column: Int16, exact: [UInt32])]
        /// More than one concept folds to this key: only exact spellings match.
        var ambiguous: Bool
    }

    /// Edges of node `n`: `edgeKeys[edgeStart[n]..<edgeStart[n + 1]]`, sorted.
    private let edgeStart: [Int32]
    private let edgeKeys: [UInt32]
    private let edgeTargets: [Int32]
    /// Failure links.
    private let fail: [Int32]
    /// The pattern ending at a node, or -1.
    private let output: [Int32]
    /// The nearest node on the failure chain with an output, or -1.
    private let outputLink: [Int32]
    private let patterns: [Pattern]
    /// Language columns, indexed as `Pattern.owners.column`.
    private let columns: [String]

    init(concepts: [GlossaryConcept], languages: [String]) {
        columns = languages
        // Patterns by loose key.
        var patternIndex: [[UInt32]: Int] = [:]
        var patterns: [Pattern] = []
        for (conceptIndex, concept) in concepts.enumerated() {
            for (columnIndex, column) in languages.enumerated() {
                for form in concept.forms[column] ?? [] {
                    let loose = TextFolding.looseKey(form.unicodeScalars)
                    let exact = TextFolding.exactKey(form.unicodeScalars)
                    let owner = (Int32(conceptIndex), Int16(columnIndex), exact)
                    if let index = patternIndex[loose] {
                        patterns[index].owners.append(owner)
                        if patterns[index].owners.contains(where: { $0.concept != Int32(conceptIndex) }) {
                            patterns[index].ambiguous = true
                        }
                    } else {
                        patternIndex[loose] = patterns.count
                        patterns.append(Pattern(length: loose.count, owners: [owner], ambiguous: false))
                    }
                }
            }
        }
        // The trie, breadth-first afterwards for failure links.
        var children: [[UInt32: Int32]] = [[:]]
        var output: [Int32] = [-1]
        for (key, index) in patternIndex {
            var node = 0
            for value in key {
                if let next = children[node][value] {
                    node = Int(next)
                } else {
                    children.append([:])
                    output.append(-1)
                    children[node][value] = Int32(children.count - 1)
                    node = children.count - 1
                }
            }
            output[node] = Int32(index)
        }
        var fail = [Int32](repeating: 0, count: children.count)
        var outputLink = [Int32](repeating: -1, count: children.count)
        var queue: [Int] = []
        for (_, child) in children[0] { queue.append(Int(child)) }
        var head = 0
        while head < queue.count {
            let node = queue[head]
            head += 1
            for (value, child) in children[node] {
                var state = Int(fail[node])
                while state != 0 && children[state][value] == nil { state = Int(fail[state]) }
                let target = children[state][value].map(Int.init) ?? 0
                fail[Int(child)] = Int32(target == Int(child) ? 0 : target)
                let failNode = Int(fail[Int(child)])
                outputLink[Int(child)] = output[failNode] >= 0 ? Int32(failNode) : outputLink[failNode]
                queue.append(Int(child))
            }
        }
        // Flatten the edges: sorted per node, one contiguous array.
        var edgeStart: [Int32] = []
        var edgeKeys: [UInt32] = []
        var edgeTargets: [Int32] = []
        edgeStart.reserveCapacity(children.count + 1)
        for node in children.indices {
            edgeStart.append(Int32(edgeKeys.count))
            for (value, child) in children[node].sorted(by: { $0.key < $1.key }) {
                edgeKeys.append(value)
                edgeTargets.append(child)
            }
        }
        edgeStart.append(Int32(edgeKeys.count))
        self.edgeStart = edgeStart
        self.edgeKeys = edgeKeys
        self.edgeTargets = edgeTargets
        self.fail = fail
        self.output = output
        self.outputLink = outputLink
        self.patterns = patterns
    }

    /// The child of `node` along `value`, or -1.
    @inline(__always)
    private func child(_ node: Int, _ value: UInt32) -> Int {
        var low = Int(edgeStart[node])
        var high = Int(edgeStart[node + 1])
        while low < high {
            let middle = (low + high) >> 1
            let key = edgeKeys[middle]
            if key == value { return Int(edgeTargets[middle]) }
            if key < value { low = middle + 1 } else { high = middle }
        }
        return -1
    }

    /// The terms of `text`; `column` is the message's language column, for ties.
    func find(in text: String, language column: String?) -> [TermHit] {
        guard edgeKeys.count > 0, !text.isEmpty else { return [] }
        let folded = FoldedText(text)
        let scalars = folded.scalars
        let preferred = column.flatMap { columns.firstIndex(of: $0) }.map(Int16.init)
        // Candidates: (start, end, concept) in folded positions.
        var candidates: [(start: Int, end: Int, concept: Int32)] = []
        var state = 0
        for (position, value) in scalars.enumerated() {
            while true {
                let next = child(state, value)
                if next >= 0 {
                    state = next
                    break
                }
                if state == 0 { break }
                state = Int(fail[state])
            }
            var node = output[state] >= 0 ? state : Int(outputLink[state])
            while node >= 0 {
                let pattern = patterns[Int(output[node])]
                let end = position + 1
                let start = end - pattern.length
                if let concept = accept(pattern, start: start, end: end, in: folded, preferred: preferred) {
                    candidates.append((start, end, concept))
                }
                node = Int(outputLink[node])
            }
        }
        guard !candidates.isEmpty else { return [] }
        // Longest first (then leftmost); a candidate overlapping a chosen one is dropped.
        candidates.sort { ($1.end - $1.start, $0.start) < ($0.end - $0.start, $1.start) }
        var taken = [Bool](repeating: false, count: scalars.count)
        var chosen: [(start: Int, end: Int, concept: Int32)] = []
        for candidate in candidates where !taken[candidate.start..<candidate.end].contains(true) {
            for index in candidate.start..<candidate.end { taken[index] = true }
            chosen.append(candidate)
        }
        chosen.sort { $0.start < $1.start }
        return chosen.map { hit in
            let range = folded.utf16Range(folded: hit.start, hit.end)
            return TermHit(
                text: folded.originalText(folded: hit.start, hit.end), start: range.start, end: range.end,
                conceptIndex: Int(hit.concept))
        }
    }

    /// The concept a candidate names, or nil when it is not at a boundary or its spelling
    /// is ambiguous and not exact.
    private func accept(_ pattern: Pattern, start: Int, end: Int, in folded: FoldedText, preferred: Int16?) -> Int32? {
        let scalars = folded.scalars
        let first = scalars[start]
        let last = scalars[end - 1]
        if TextFolding.isSpacedWordScalar(first), start > 0, TextFolding.isSpacedWordScalar(scalars[start - 1]) {
            return nil
        }
        if TextFolding.isSpacedWordScalar(last), end < scalars.count, TextFolding.isSpacedWordScalar(scalars[end]) {
            return nil
        }
        if TextFolding.isInsideHangulSyllable(first) { return nil }
        if end < scalars.count, TextFolding.isInsideHangulSyllable(scalars[end]) { return nil }
        var owners = pattern.owners[...]
        if pattern.ambiguous {
            let exact = folded.exactKey(folded: start, end)
            let matching = pattern.owners.filter { $0.exact == exact }
            guard !matching.isEmpty else { return nil }
            owners = matching[...]
        }
        if let preferred, let owner = owners.first(where: { $0.column == preferred }) { return owner.concept }
        return owners.first?.concept
    }
}
