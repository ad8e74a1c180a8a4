import AutoconvCore
import Synchronization

/// The best values found so far by all threads of one run. Only ever used to cut harder:
/// cuts are strict ("value > best"), so every composition whose value equals the final minimum
/// is still visited, and the reported minimiser (smallest rank) does not depend on timing.
final class SharedBest: Sendable {
    private let state = Mutex<(test: Fraction?, certified: Fraction?)>((nil, nil))

    /// Records candidate values and returns the best known after the update.
    func offer(test: Fraction?, certified: Fraction?) -> (test: Fraction?, certified: Fraction?) {
        state.withLock { best in
            if let test, best.test.map({ test < $0 }) ?? true { best.test = test }
            if let certified, best.certified.map({ certified < $0 }) ?? true { best.certified = certified }
            return best
        }
    }
}

/// Find-min mode (method.md §4) over canonical compositions: tracks min test(c) and min cert(c).
/// A leaf or subtree is skipped only when it exceeds both current minima.
final class BoundVisitor: SearchVisitor {
    let problem: Problem
    let evaluator: Evaluator
    let shared: SharedBest
    var result = BoundPartial()

    /// Cut-offs for "test(c) > best test" and "cert(c) > best cert", one per window. Raw
    /// buffers updated in place, so a sweep sees a new minimum at once.
    private let testBase: UnsafeMutablePointer<Int64>
    private let certBase: UnsafeMutablePointer<Int64>
    private var asymmetryCut = 0
    private let testLeaves: SweepSide
    private let certLeaves: SweepSide

    init(problem: Problem, evaluator: Evaluator, shared: SharedBest) {
        self.problem = problem
        self.evaluator = evaluator
        self.shared = shared
        testLeaves = SweepSide(count: evaluator.windows.count)
        certLeaves = SweepSide(count: evaluator.windows.count)
        testBase = .allocate(capacity: evaluator.windows.count)
        certBase = .allocate(capacity: evaluator.windows.count)
        adopt(shared.offer(test: nil, certified: nil))
    }

    deinit {
        testLeaves.deallocate()
        certLeaves.deallocate()
        testBase.deallocate()
        certBase.deallocate()
    }

    /// Rebuilds the integer cut-offs from the best known values.
    private func adopt(_ best: (test: Fraction?, certified: Fraction?)) {
        let cutoffs = BoundCutoffs(test: best.test, certified: best.certified, problem: problem)
        let test = cutoffs.test.byWindow(evaluator.windows), cert = cutoffs.certified.byWindow(evaluator.windows)
        testBase.update(from: test, count: test.count)
        certBase.update(from: cert, count: cert.count)
        asymmetryCut = cutoffs.asymmetryCutoff
    }

    func skipsSubtree(_ search: RangeSearch, fixed k: Int, remaining R: Int, size: UInt64) -> Bool {
        // c_{d−1} ≤ R < c_0 makes every completion non-canonical.
        if search.c[0] > R { return true }
        search.preparePrefixSums(fixed: k)
        let r = Int64(R)
        let windowCount = search.terms.count
        var testExceeds = false
        for w in 0..<windowCount where search.lowerBound(window: w, fixed: k, remaining: r, corrected: false) > testBase[w] {
            testExceeds = true
            break
        }
        guard testExceeds else { return false }
        if k >= problem.n {
            var left = 0
            for i in 0..<problem.n { left += search.c[i] }
            if Asymmetry.majorMass(leftMass: left, total: problem.S) >= asymmetryCut { return true }
        }
        for w in 0..<windowCount where search.lowerBound(window: w, fixed: k, remaining: r, corrected: true) > certBase[w] {
            return true
        }
        return false
    }

    func sweep(_ search: RangeSearch, remaining R: Int, first: Int, last: Int, start: UInt64) {
        // Only canonical leaves: with c_{d−1} = R − v, c_0 < R − v makes the leaf canonical,
        // c_0 > R − v makes it not, and only v = R − c_0 needs the full comparison (d = 2: v ≤ R/2).
        let d = search.d
        let tie = d == 2 ? R / 2 : R - search.c[0]
        let lastSure = min(last, d == 2 ? tie : tie - 1)
        let r = Int64(R)
        let sweepLast = min(last, tie)
        guard first <= sweepLast else { return }
        search.prepareLeaves(remaining: R)
        // The left mass is fixed unless d = 2, where it is v itself.
        let fixedMajor = d == 2 ? nil : Optional(Asymmetry.majorMass(leftMass: search.leftMass(v: 0, remaining: R), total: problem.S))
        if testLeaves.hotExceedsEverywhere(search.sweep, remaining: r, corrected: false, from: first, through: sweepLast, testBase)
            && (fixedMajor.map { $0 >= asymmetryCut } ?? false
                || certLeaves.hotExceedsEverywhere(search.sweep, remaining: r, corrected: true, from: first, through: sweepLast, certBase)) {
            return
        }
        testLeaves.load(search.sweep, remaining: r, corrected: false)
        certLeaves.load(search.sweep, remaining: r, corrected: true)
        func visit(_ v: Int) {
            let x = Int64(v)
            let major = fixedMajor ?? Asymmetry.majorMass(leftMass: v, total: problem.S)
            if testLeaves.exceeds(x, testBase) && (major >= asymmetryCut || certLeaves.exceeds(x, certBase)) { return }
            record(search.leafComposition(v: v, remaining: R), rank: start + UInt64(v))
        }
        if first <= lastSure {
            for v in first...lastSure { visit(v) }
        }
        if d > 2 && tie >= first && tie <= last && tie > lastSure
            && Compositions.isCanonical(search.leafComposition(v: tie, remaining: R)) {
            visit(tie)
        }
    }

    /// Exact values for a leaf that may improve a minimum (rare): straight from the evaluator.
    private func record(_ composition: [Int], rank: UInt64) {
        let test = Minimum(value: evaluator.testValue(composition), rank: rank, composition: composition)
        let cert = Minimum(value: evaluator.certifiedValue(composition), rank: rank, composition: composition)
        let before = result
        result.merge(BoundPartial(minTest: test, minCertified: cert))
        if result != before {
            adopt(shared.offer(test: result.minTest?.value, certified: result.minCertified?.value))
        }
    }
}
