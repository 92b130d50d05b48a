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
    /// The root's transitions for BMP scalars, as a direct table.
    private let rootNext: [Int32]
    /// Language columns, indexed as `Pattern.owners.column`.
    private let columns: [String]

    init(forms: [GlossaryParser.FormKeys], languages: [String]) {
        columns = languages
        // Patterns by loose key.
        var patternIndex: [[UInt32]: Int] = [:]
        patternIndex.reserveCapacity(forms.count)
        var patterns: [Pattern] = []
        for form in forms {
            let owner = (form.concept, form.column, form.exact)
            if let index = patternIndex[form.loose] {
                patterns[index].owners.append(owner)
                if patterns[index].owners.contains(where: { $0.concept != form.concept }) {
                    patterns[index].ambiguous = true
                }
            } else {
                patternIndex[form.loose] = patterns.count
                patterns.append(Pattern(length: form.loose.count, owners: [owner], ambiguous: false))
            }
        }
        // The trie from the keys in sorted order: each node's children are then created in
        // increasing order, and a key only ever extends the newest child — no hashing.
        let sortedKeys = patternIndex.keys.sorted { $0.lexicographicallyPrecedes($1) }
        var label: [UInt32] = [0]
        var firstChild: [Int32] = [-1]
        var lastChild: [Int32] = [-1]
        var nextSibling: [Int32] = [-1]
        var trieOutput: [Int32] = [-1]
        for key in sortedKeys {
            var node = 0
            for value in key {
                let last = Int(lastChild[node])
                if last >= 0 && label[last] == value {
                    node = last
                    continue
                }
                let child = label.count
                label.append(value)
                firstChild.append(-1)
                lastChild.append(-1)
                nextSibling.append(-1)
                trieOutput.append(-1)
                if last >= 0 { nextSibling[last] = Int32(child) } else { firstChild[node] = Int32(child) }
                lastChild[node] = Int32(child)
                node = child
            }
            trieOutput[node] = Int32(patternIndex[key]!)
        }
        // Renumber breadth-first into flat edge arrays (children in label order).
        let count = label.count
        var bfs: [Int] = [0]
        bfs.reserveCapacity(count)
        var head = 0
        var edgeStart: [Int32] = []
        var edgeKeys: [UInt32] = []
        var edgeTargets: [Int32] = []
        edgeStart.reserveCapacity(count + 1)
        edgeKeys.reserveCapacity(count)
        edgeTargets.reserveCapacity(count)
        while head < bfs.count {
            let node = bfs[head]
            edgeStart.append(Int32(edgeKeys.count))
            var child = Int(firstChild[node])
            while child >= 0 {
                edgeKeys.append(label[child])
                edgeTargets.append(Int32(bfs.count))
                bfs.append(child)
                child = Int(nextSibling[child])
            }
            head += 1
        }
        edgeStart.append(Int32(edgeKeys.count))
        var output = [Int32](repeating: -1, count: count)
        for (number, node) in bfs.enumerated() { output[number] = trieOutput[node] }
        self.edgeStart = edgeStart
        self.edgeKeys = edgeKeys
        self.edgeTargets = edgeTargets
        // The root's children, by scalar, for BMP text: most steps start there.
        var rootNext = [Int32](repeating: -1, count: 0x10000)
        for edge in Int(edgeStart[0])..<Int(edgeStart[1]) where edgeKeys[edge] < 0x10000 {
            rootNext[Int(edgeKeys[edge])] = edgeTargets[edge]
        }
        self.rootNext = rootNext
        // Failure links, breadth-first (node numbers are already in that order).
        var fail = [Int32](repeating: 0, count: count)
        var outputLink = [Int32](repeating: -1, count: count)
        for node in 0..<count {
            for edge in Int(edgeStart[node])..<Int(edgeStart[node + 1]) {
                let child = Int(edgeTargets[edge])
                let value = edgeKeys[edge]
                var target = 0
                if node != 0 {
                    var state = Int(fail[node])
                    while true {
                        let next = Self.child(state, value, edgeStart, edgeKeys, edgeTargets)
                        if next >= 0 {
                            target = next
                            break
                        }
                        if state == 0 { break }
                        state = Int(fail[state])
                    }
                }
                fail[child] = Int32(target)
                outputLink[child] = output[target] >= 0 ? Int32(target) : outputLink[target]
            }
        }
        self.fail = fail
        self.output = output
        self.outputLink = outputLink
        self.patterns = patterns
    }

    /// The child of `node` along `value` in flat edge arrays, or -1.
    @inline(__always)
    private static func child(
        _ node: Int, _ value: UInt32, _ edgeStart: [Int32], _ edgeKeys: [UInt32], _ edgeTargets: [Int32]
    ) -> Int {
        var low = Int(edgeStart[node])
        var high = Int(edgeStart[node + 1])
        if high - low <= 4 {
            while low < high {
                if edgeKeys[low] == value { return Int(edgeTargets[low]) }
                low += 1
            }
            return -1
        }
        while low < high {
            let middle = (low + high) >> 1
            let key = edgeKeys[middle]
            if key == value { return Int(edgeTargets[middle]) }
            if key < value { low = middle + 1 } else { high = middle }
        }
        return -1
    }

    /// The child of `node` along `value`, or -1.
    @inline(__always)
    private func child(_ node: Int, _ value: UInt32) -> Int {
        if node == 0 && value < 0x10000 { return Int(rootNext[Int(value)]) }
        return Self.child(node, value, edgeStart, edgeKeys, edgeTargets)
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
        var chosen: [(start: Int, end: Int, concept: Int32)] = []
        chosen.reserveCapacity(candidates.count)
        if candidates.count <= 32 {
            for candidate in candidates
            where !chosen.contains(where: { $0.start < candidate.end && candidate.start < $0.end }) {
                chosen.append(candidate)
            }
        } else {
            // Many candidates (a long message): mark taken positions instead of comparing pairs.
            var taken = [Bool](repeating: false, count: scalars.count)
            for candidate in candidates where !taken[candidate.start..<candidate.end].contains(true) {
                for index in candidate.start..<candidate.end { taken[index] = true }
                chosen.append(candidate)
            }
        }
        chosen.sort { $0.start < $1.start }
        return chosen.map { hit in
            let range = folded.utf16Range(folded: hit.start, hit.end)
            return TermHit(
                text: String(folded.originalText(folded: hit.start, hit.end)), start: range.start, end: range.end,
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
