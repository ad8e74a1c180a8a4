import AutoconvCore

/// Depth-first search over one contiguous rank range [lo, hi), in rank (lexicographic) order.
///
/// Parts c_0 … c_{d−3} are chosen one by one; the last two are swept together by `sweepLeaves`,
/// because with d − 2 parts fixed every window sum is a quadratic in v = c_{d−2} (c_{d−1} = R − v),
/// so each leaf costs a few multiply-adds per window instead of an O(d) autoconvolution.
///
/// The autoconvolution of the fixed prefix is kept incrementally in `conv`: moving c_k from v to
/// v+1 adds 2c_i at conv[i+k] and 2v+1 at conv[2k].
///
/// **Subtree skipping** (method.md §3). With parts 0…k−1 fixed and R units left for bins k…d−1,
/// every completion has, for the window [s, e],
///   WS ≥ Σ_{t∈[s,e]} conv_prefix[t]                       (all conv terms are ≥ 0)
///      + 2R · Σ { c_i : i < k, s ≤ i+k, i+d−1 ≤ e }        (bin i meets every free bin inside [s,e])
///      + R²   if s ≤ 2k and e ≥ 2d−2                        (the free bins' own pairs all land inside)
/// and W_int ≤ (fixed mass in range) + (R if some free bin is in range), so WS − K_w is at least
/// the first bound less coefficient·(the second) and the constant. A subtree is cut only when
/// these bounds already exceed the cut-off that any of its compositions would face.
final class RangeSearch {
    let problem: Problem
    let d: Int
    let n: Int
    let S: Int
    let terms: WindowTerms
    let table: BinomialTable<UInt64>
    let lo: UInt64
    let hi: UInt64

    /// The mode-specific decisions: prove counts or find-min minima.
    let visitor: SearchVisitor

    // Search state and scratch, in raw buffers held by `let`: the hot loops then pay neither
    // bounds nor dynamic exclusivity checks. Sizes are fixed by d.
    /// The composition being built; entries at and past the current depth are 0.
    let c: UnsafeMutablePointer<Int>
    /// Autoconvolution of the fixed prefix (2d − 1 entries).
    let conv: UnsafeMutablePointer<Int64>
    let convPrefix: UnsafeMutablePointer<Int64>
    let massPrefix: UnsafeMutablePointer<Int64>
    /// The current leaf sweep's window quadratics.
    let sweep: Sweep

    init(problem: Problem, terms: WindowTerms, table: BinomialTable<UInt64>, lo: UInt64, hi: UInt64, visitor: SearchVisitor) {
        self.problem = problem
        d = problem.d
        n = problem.n
        S = problem.S
        self.terms = terms
        self.table = table
        self.lo = lo
        self.hi = hi
        self.visitor = visitor
        func buffer<T: FixedWidthInteger>(_ count: Int) -> UnsafeMutablePointer<T> {
            let p = UnsafeMutablePointer<T>.allocate(capacity: count)
            p.initialize(repeating: 0, count: count)
            return p
        }
        c = buffer(d)
        conv = buffer(2 * d - 1)
        convPrefix = buffer(2 * d)
        massPrefix = buffer(d + 1)
        sweep = Sweep(d: d, terms: terms)
    }

    deinit {
        for p in [conv, convPrefix, massPrefix] { p.deallocate() }
        sweep.deallocate()
        c.deallocate()
    }

    func run() {
        guard lo < hi else { return }
        descend(fixed: 0, remaining: S, start: 0)
    }

    /// Visits the subtree of the current prefix c_0 … c_{fixed−1}, whose first composition has
    /// rank `start`, clipped to [lo, hi).
    private func descend(fixed k: Int, remaining R: Int, start: UInt64) {
        if k == d - 2 {
            sweepLeaves(remaining: R, start: start)
            return
        }
        if k > 0 {
            let size = table.compositions(parts: d - k, sum: R)
            let clipped = min(start + size, hi) - max(start, lo)
            if visitor.skipsSubtree(self, fixed: k, remaining: R, size: clipped) { return }
        }
        var childStart = start
        for v in 0...R {
            if v > 0 { shiftPart(k, to: v) } else { c[k] = 0 }
            let childSize = table.compositions(parts: d - k - 1, sum: R - v)
            defer { childStart += childSize }
            if childStart + childSize <= lo { continue }
            if childStart >= hi { unsetPart(k); return }
            descend(fixed: k + 1, remaining: R - v, start: childStart)
        }
        unsetPart(k)
    }

    /// Raises c_k by one (to v), updating the prefix autoconvolution.
    @inline(__always)
    private func shiftPart(_ k: Int, to v: Int) {
        for i in 0..<k { conv[i + k] += 2 * Int64(c[i]) }
        conv[2 * k] += Int64(2 * v - 1)
        c[k] = v
    }

    /// Removes c_k's contribution from the prefix autoconvolution and sets it to 0.
    @inline(__always)
    private func unsetPart(_ k: Int) {
        let v = Int64(c[k])
        guard v != 0 else { return }
        for i in 0..<k { conv[i + k] -= 2 * v * Int64(c[i]) }
        conv[2 * k] -= v * v
        c[k] = 0
    }

    /// Prefix sums of the fixed part's conv and mass, for O(1) window bounds.
    func preparePrefixSums(fixed k: Int) {
        convPrefix[0] = 0
        for t in 0..<(2 * d - 1) { convPrefix[t + 1] = convPrefix[t] + conv[t] }
        massPrefix[0] = 0
        for i in 0..<d { massPrefix[i + 1] = massPrefix[i] + (i < k ? Int64(c[i]) : 0) }
    }

    /// Lower bound on window w's value over every completion of the prefix (see the type's
    /// comment): WS, or with `corrected` the rule value WS − K_w (`WindowTerms`). Requires
    /// `preparePrefixSums(fixed: k)`.
    @inline(__always)
    func lowerBound(window w: Int, fixed k: Int, remaining R: Int64, corrected: Bool) -> Int64 {
        let s = terms.start[w], e = terms.end[w]
        var bound = convPrefix[e + 1] - convPrefix[s]
        let crossFirst = max(0, s - k), crossLast = min(k - 1, e - d + 1)
        if crossFirst <= crossLast { bound += 2 * R * (massPrefix[crossLast + 1] - massPrefix[crossFirst]) }
        if s <= 2 * k && e >= 2 * d - 2 { bound += R * R }
        guard corrected else { return bound }
        let coefficient = terms.coefficient[w]
        if coefficient != 0 {
            let first = terms.firstBin[w], last = terms.lastBin[w]
            var inRange = massPrefix[min(last, k - 1) + 1] - massPrefix[min(first, k)]
            if last >= k { inRange += R }
            bound -= coefficient * inRange
        }
        return bound - terms.constant[w]
    }

    /// Sets up the leaf sweep of the current prefix of d − 2 parts and R = c_{d−2} + c_{d−1}
    /// (`sweep` then holds every window's quadratic in v = c_{d−2}).
    func prepareLeaves(remaining R: Int) {
        sweep.prepare(fixed: c, conv: conv, remaining: R)
    }

    /// All compositions with the current d − 2 leading parts: c_{d−2} = v, c_{d−1} = R − v,
    /// rank start + v, clipped to [lo, hi).
    private func sweepLeaves(remaining R: Int, start: UInt64) {
        let first = start < lo ? Int(lo - start) : 0
        let last = min(UInt64(R), hi - 1 - start)
        guard UInt64(first) <= last else { return }
        visitor.sweep(self, remaining: R, first: first, last: Int(last), start: start)
    }

    /// The full composition with c_{d−2} = v, c_{d−1} = R − v.
    func leafComposition(v: Int, remaining R: Int) -> [Int] {
        var full = Array(UnsafeBufferPointer(start: c, count: d))
        full[d - 2] = v
        full[d - 1] = R - v
        return full
    }

    /// Σ_{i<n} c_i at the leaf with c_{d−2} = v: the left mass for the asymmetry rule.
    @inline(__always)
    func leftMass(v: Int, remaining R: Int) -> Int {
        // Bins d−2 and d−1 lie in the left half only when d = 2 (n = 1).
        if n == 1 { return v }
        var a = 0
        for i in 0..<n { a += c[i] }
        return a
    }
}

/// What a search does at subtree roots and leaves: prove mode counts, find-min mode minimises.
protocol SearchVisitor: AnyObject {
    /// Whether the whole subtree (size `size` after clipping) can be accounted without visiting.
    func skipsSubtree(_ search: RangeSearch, fixed k: Int, remaining R: Int, size: UInt64) -> Bool
    /// Handles leaves v ∈ [first, last] of the current leaf parent.
    func sweep(_ search: RangeSearch, remaining R: Int, first: Int, last: Int, start: UInt64)
}
