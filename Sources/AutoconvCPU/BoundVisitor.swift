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

    private var testBase: [Int64] = []
    private var certBase: [Int64] = []
    private var asymmetryCut = 0
    private var hotTest = 0, hotCert = 0
    private var ta: [Int64], tb: [Int64], tc: [Int64]
    private var ca: [Int64], cb: [Int64], cc: [Int64]

    init(problem: Problem, evaluator: Evaluator, shared: SharedBest) {
        self.problem = problem
        self.evaluator = evaluator
        self.shared = shared
        let count = evaluator.windows.count
        ta = [Int64](repeating: 0, count: count)
        (tb, tc, ca, cb, cc) = (ta, ta, ta, ta, ta)
        adopt(shared.offer(test: nil, certified: nil))
    }

    /// Rebuilds the integer cut-offs from the best known values.
    private func adopt(_ best: (test: Fraction?, certified: Fraction?)) {
        testBase = WindowCutoffs(value: best.test, correction: .none, windows: evaluator.windows).base
        certBase = WindowCutoffs(value: best.certified, rule: problem.rule, windows: evaluator.windows).base
        asymmetryCut = Asymmetry.cutoffAbove(best.certified, problem: problem)
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
        let r = Int64(R)
        search.prepareLeaves(remaining: R)
        let windowCount = search.terms.count
        for w in 0..<windowCount {
            (ta[w], tb[w], tc[w]) = search.leafQuadratic(window: w, remaining: r, corrected: false)
            (ca[w], cb[w], cc[w]) = search.leafQuadratic(window: w, remaining: r, corrected: true)
        }
        for v in first...last {
            guard isCanonicalLeaf(search, v: v, remaining: R) else { continue }
            let x = Int64(v)
            if exceeds(x, ta, tb, tc, testBase, &hotTest)
                && (Asymmetry.majorMass(leftMass: search.leftMass(v: v, remaining: R), total: problem.S) >= asymmetryCut
                    || exceeds(x, ca, cb, cc, certBase, &hotCert)) {
                continue
            }
            record(search.leafComposition(v: v, remaining: R), rank: start + UInt64(v))
        }
    }

    /// Whether some window's quadratic at x exceeds its cut-off; remembers the window that did.
    @inline(__always)
    private func exceeds(_ x: Int64, _ a: [Int64], _ b: [Int64], _ c: [Int64], _ base: [Int64], _ hot: inout Int) -> Bool {
        if (a[hot] * x + b[hot]) * x + c[hot] > base[hot] { return true }
        for w in 0..<a.count where (a[w] * x + b[w]) * x + c[w] > base[w] {
            hot = w
            return true
        }
        return false
    }

    /// c ≤ reverse(c) for the leaf with c_{d−2} = v, c_{d−1} = R − v.
    @inline(__always)
    private func isCanonicalLeaf(_ search: RangeSearch, v: Int, remaining R: Int) -> Bool {
        let d = search.d
        var i = 0, j = d - 1
        while i < j {
            let left = i == d - 2 ? v : search.c[i]
            let right = j == d - 1 ? R - v : (j == d - 2 ? v : search.c[j])
            if left != right { return left < right }
            i += 1; j -= 1
        }
        return true
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
