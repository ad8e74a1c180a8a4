import AutoconvCore

/// Prove mode (method.md §3): classifies every composition of the range, asymmetry first, and
/// collects the survivors in rank order.
final class ProveVisitor: SearchVisitor {
    let cutoffs: ProveCutoffs
    let base: [Int64]
    var counts = ProveCounts()
    var survivors: [Survivor] = []
    private let leaves: SweepSide

    /// Survivors are kept only when someone wants them: the counts need none.
    let collectSurvivors: Bool

    /// `base`: the cut-off of each window (`WindowCutoffs.byWindow`).
    init(cutoffs: ProveCutoffs, base: [Int64], collectSurvivors: Bool) {
        self.cutoffs = cutoffs
        self.collectSurvivors = collectSurvivors
        self.base = base
        leaves = SweepSide(count: base.count)
    }

    deinit { leaves.deallocate() }

    func skipsSubtree(_ search: RangeSearch, fixed k: Int, remaining R: Int, size: UInt64) -> Bool {
        // The counting convention puts asymmetry first, so a window may account a whole
        // subtree as test-pruned only when asymmetry prunes none of it.
        let n = search.n, S = search.S
        var fixedLeft = 0
        for i in 0..<min(k, n) { fixedLeft += search.c[i] }
        let leftMax = k >= n ? fixedLeft : fixedLeft + R
        let majorMax = max(leftMax, S - fixedLeft)
        // M = max(A, S − A) is smallest where A is nearest S/2.
        let majorMin = Asymmetry.majorMass(leftMass: min(max(S / 2, fixedLeft), leftMax), total: S)
        if majorMin >= cutoffs.asymmetryCutoff {
            counts.asymmetryPruned += size
            return true
        }
        if majorMax >= cutoffs.asymmetryCutoff { return false }
        search.preparePrefixSums(fixed: k)
        let r = Int64(R)
        for w in 0..<search.terms.count where search.lowerBound(window: w, fixed: k, remaining: r, corrected: true) > base[w] {
            counts.testPruned += size
            return true
        }
        return false
    }

    func sweep(_ search: RangeSearch, remaining R: Int, first: Int, last: Int, start: UInt64) {
        let S = search.S, cut = cutoffs.asymmetryCutoff
        // The left mass is fixed unless d = 2, where it is v itself.
        let fixedMajor = search.d == 2 ? nil : Optional(Asymmetry.majorMass(leftMass: search.leftMass(v: 0, remaining: R), total: S))
        let size = UInt64(last - first + 1)
        if let fixedMajor, fixedMajor >= cut {
            counts.asymmetryPruned += size
            return
        }
        search.prepareLeaves(remaining: R)
        let wholeSweepPruned = fixedMajor != nil && base.withUnsafeBufferPointer {
            leaves.hotExceedsEverywhere(search.sweep, remaining: Int64(R), corrected: true, from: first, through: last, $0.baseAddress!)
        }
        if wholeSweepPruned {
            counts.testPruned += size
            return
        }
        leaves.load(search.sweep, remaining: Int64(R), corrected: true)
        base.withUnsafeBufferPointer { base in
            let base = base.baseAddress!
            for v in first...last {
                if (fixedMajor ?? Asymmetry.majorMass(leftMass: v, total: S)) >= cut {
                    counts.asymmetryPruned += 1
                } else if leaves.exceeds(Int64(v), base) {
                    counts.testPruned += 1
                } else {
                    let composition = search.leafComposition(v: v, remaining: R)
                    counts.survivors += 1
                    if Compositions.isCanonical(composition) { counts.canonicalSurvivors += 1 }
                    if collectSurvivors { survivors.append(Survivor(rank: start + UInt64(v), composition: composition)) }
                }
            }
        }
    }
}
