/// The check that every parent of a level was expanded, independent of the state's word for it.
///
/// A level's ledger says which batches were done; this recounts, for every ledger entry, what
/// the entry must hold and compares:
///
/// - the entries tile the level's space [0, N) exactly, in order (N: the compositions at level
///   0, the parents — the previous level's records — after it), so no rank or parent was skipped
///   or done twice;
/// - an entry's children are the number of its ranks (level 0) or the exact number of relaxed
///   children of its parents, counted here by `PlainChildren.count` (level ≥ 1);
/// - an entry's survivors are the records of the level's file whose rank (level 0) or parent
///   (level ≥ 1) lies in the entry's range;
/// - an entry's counts add up (children = asym + test + survivors), and the entries add up to the
///   counts the state claims for the level.
///
/// With the sampled or exhaustive checks of each record and each parent's surviving children,
/// this leaves no room for a level that stopped early, whatever its state file says.
struct CascadeCoverage {
    let ledger: CascadeLedgerFile
    let level: Int
    /// Recounted per entry.
    private(set) var children: [UInt128]
    private(set) var survivors: [UInt64]
    private var unit: String { level == 0 ? "ranks" : "parents" }

    /// Checks the tiling of [0, space).
    init(ledger: CascadeLedgerFile, level: Int, space: UInt64) throws(Verifier.Rejection) {
        self.ledger = ledger
        self.level = level
        children = Array(repeating: 0, count: ledger.entries.count)
        survivors = Array(repeating: 0, count: ledger.entries.count)
        let unit = level == 0 ? "ranks" : "parents"
        var next: UInt64 = 0
        for (i, entry) in ledger.entries.enumerated() {
            guard entry.first < entry.end else {
                throw Verifier.Rejection(reason: "level \(level): ledger entry \(i) has the empty or reversed range [\(entry.first), \(entry.end))")
            }
            if entry.first > next {
                throw Verifier.Rejection(reason: "level \(level): \(unit) [\(next), \(entry.first)) of \(space) were never expanded (a gap in '\(ledger.path)' before entry \(i))")
            }
            if entry.first < next {
                throw Verifier.Rejection(reason: "level \(level): ledger entry \(i) [\(entry.first), \(entry.end)) overlaps the entry before it")
            }
            next = entry.end
        }
        if next < space {
            throw Verifier.Rejection(reason: "level \(level): \(unit) [\(next), \(space)) were never expanded ('\(ledger.path)' covers [0, \(next)) of \(space))")
        }
        if next > space {
            throw Verifier.Rejection(reason: "level \(level): '\(ledger.path)' covers [0, \(next)), but there are only \(space) \(unit)")
        }
        if level == 0 {
            for (i, entry) in ledger.entries.enumerated() { children[i] = UInt128(entry.end - entry.first) }
        }
    }

    /// Adds the `count` children of the parent at `index` (level ≥ 1).
    mutating func addChildren(_ count: UInt128, ofParent index: UInt64) throws(Verifier.Rejection) {
        let i = ledger.entry(holding: index)
        let (sum, overflow) = children[i].addingReportingOverflow(count)
        guard !overflow else { throw Verifier.Rejection(reason: "level \(level): ledger entry \(i) has 2^128 children or more") }
        children[i] = sum
    }

    /// Counts one record whose rank (level 0) or parent index (level ≥ 1) is `index`.
    mutating func addSurvivor(at index: UInt64) {
        survivors[ledger.entry(holding: index)] += 1
    }

    /// Compares every entry with the recount, and the entries' sum with the state's `claimed` counts.
    func compare(claimed: LedgerCounts) throws(Verifier.Rejection) {
        var total = LedgerCounts()
        for (i, entry) in ledger.entries.enumerated() {
            let c = entry.counts
            let range = "ledger entry \(i) (\(unit) [\(entry.first), \(entry.end)))"
            guard c.children == children[i] else {
                throw Verifier.Rejection(reason: "level \(level): \(range) claims \(c.children) children, its \(unit) have \(children[i])")
            }
            guard c.survivors == UInt128(survivors[i]) else {
                throw Verifier.Rejection(reason: "level \(level): \(range) claims \(c.survivors) survivors, the level's file holds \(survivors[i]) from them")
            }
            let width = UInt128(entry.end - entry.first)
            guard c.addsUp, level == 0 ? c.parents == 0 : c.parents == width else {
                throw Verifier.Rejection(reason: "level \(level): \(range) has counts that do not add up")
            }
            guard let sum = total.adding(c) else { throw Verifier.Rejection(reason: "level \(level): the ledger's counts overflow") }
            total = sum
        }
        guard total == claimed else {
            throw Verifier.Rejection(reason: "level \(level): the state's counts differ from the sum of '\(ledger.path)'")
        }
    }
}
