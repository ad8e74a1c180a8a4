import AutoconvCore

/// Depth-first search over the children of one parent, within one child-index range [lo, hi),
/// branching on Δ inside the search (method.md §5).
///
/// At pair i the search chooses Δ_{i+1} (fixing σ_i = 2t_i + Δ_{i+1} − Δ_i), then the split
/// u_{2i} = v, u_{2i+1} = σ_i − v, in the order of `ChildTree`'s addressing; so the children
/// below any node form one index range, and a cut node accounts that range at once.
///
/// **The cut at a node** (pairs < i split, σ_i known, Δ_{i+1} known). Pairs b ≥ i are "free":
/// σ_i is exact, σ_{i+1} ∈ 2t_{i+1} − Δ_{i+1} + {Δ_lo … Δ_hi}, and further pairs
/// σ_b ∈ 2t_b + {Δ_lo − Δ_hi … Δ_hi − Δ_lo}, lower ends clamped at 0. Since every conv term is ≥ 0,
/// for a window [s, e] every child below the node has
///   WS ≥ Σ_{p∈[s,e]} conv_fixed[p]
///      + Σ { 2u_j·σmin_b : j < 2i fixed, b free, j+2b ≥ s, j+2b+1 ≤ e }   (bin j meets both bins of pair b)
///      + Σ { σmin_b·σmin_b' : b, b' free (ordered), 2(b+b') ≥ s, 2(b+b')+2 ≤ e } (the pairs' whole products)
/// and W_int ≤ fixed mass in range + min(R, Σ σmax_b over free pairs meeting the range), where
/// R = Σ_{b≥i} σ_b = 2Σ_{b≥i} t_b − Δ_i exactly. The node is cut when LB − coefficient·UB −
/// constant exceeds the window's cut-off, but only where asymmetry prunes none of its children, as the
/// counting convention puts asymmetry first: a child's left mass is 2·(parent's left mass) + Δ_{n/2}
/// with n/2 the parent's n, so asymmetry is decided by that one Δ.
///
/// Magnitudes: every bound is at most (2S)² + 2·2d·2S < 2^32 for the child S ≤ 46,340, in Int64.
///
/// `Stats` decides at compile time whether the search counts what it does (`ChildSearchStats`,
/// `cascade --stats`): with `NoChildStats` every counting statement is specialised away.
final class ChildSearch<Stats: ChildStatsMode> {
    typealias Result = ChildSearchResult

    let d: Int, dp: Int, halfParent: Int
    let windowCount: Int
    let low: Int, high: Int
    let asymmetryCutoff: Int
    let S: Int

    // Windows, raw.
    private let start: UnsafeMutablePointer<Int>, end: UnsafeMutablePointer<Int>
    private let firstBin: UnsafeMutablePointer<Int>, lastBin: UnsafeMutablePointer<Int>
    private let coefficient: UnsafeMutablePointer<Int64>, constant: UnsafeMutablePointer<Int64>
    /// The cut-off of each window (`WindowCutoffs.byWindow`).
    private let base: UnsafeMutablePointer<Int64>
    private var hot = 0
    /// ProveCutoffs.singleBinCaps: larger u_j are pruned whatever the other bins hold.
    private let cap: [Int]

    // Per parent.
    private var tree: ChildTree!
    private var t: [Int] = []
    private var lo: UInt128 = 0, hi: UInt128 = 0
    private var tailMass: [Int64] = []          // Σ_{b≥i} t_b
    private var asymmetryPrunes: [Bool] = []    // by Δ_{n/2} − low
    /// Whether splits are first checked against the hot window's quadratic (`splitQuadratic`);
    /// off only to test that it changes no decision.
    let splitQuadratics: Bool
    private var result = Result()
    private var stats: ChildSearchStats

    /// Counts one event of `kind` at depth i (only when `Stats.enabled`).
    @inline(__always)
    private func count(_ kind: ChildSearchStats.Kind, _ i: Int) {
        if Stats.enabled { stats[kind, i] &+= 1 }
    }

    // Search state.
    private let u: UnsafeMutablePointer<Int64>
    private let conv: UnsafeMutablePointer<Int64>
    private var delta: [Int]

    // Scratch for bounds and leaves.
    private let convPrefix: UnsafeMutablePointer<Int64>
    private let crossPrefix: UnsafeMutablePointer<Int64>
    private let pairPrefix: UnsafeMutablePointer<Int64>
    private let massPrefix: UnsafeMutablePointer<Int64>
    private let sigmaMin: UnsafeMutablePointer<Int64>
    private let sigmaMaxPrefix: UnsafeMutablePointer<Int64>
    private let scratch: UnsafeMutablePointer<Int64>
    private let sweep: Sweep
    private let leaves: SweepSide

    init(problem: Problem, terms: WindowTerms, cutoffs: ProveCutoffs, deltas: DeltaRange, splitQuadratics: Bool = true) {
        self.splitQuadratics = splitQuadratics
        d = problem.d
        dp = d / 2
        halfParent = dp / 2
        S = problem.S
        windowCount = terms.count
        low = deltas.low
        high = deltas.high
        asymmetryCutoff = cutoffs.asymmetryCutoff
        start = .copying(terms.start); end = .copying(terms.end)
        firstBin = .copying(terms.firstBin); lastBin = .copying(terms.lastBin)
        coefficient = .copying(terms.coefficient); constant = .copying(terms.constant)
        base = .copying(cutoffs.windows.byWindow(problem.windowList))
        func zeros(_ n: Int) -> UnsafeMutablePointer<Int64> {
            let p = UnsafeMutablePointer<Int64>.allocate(capacity: n)
            p.initialize(repeating: 0, count: n)
            return p
        }
        u = zeros(d); conv = zeros(2 * d)
        convPrefix = zeros(2 * d + 1); crossPrefix = zeros(2 * d + 1); pairPrefix = zeros(d + 1)
        massPrefix = zeros(d + 1); sigmaMin = zeros(dp); sigmaMaxPrefix = zeros(dp + 1)
        sweep = Sweep(d: d, terms: terms)
        leaves = SweepSide(count: windowCount)
        scratch = zeros(2 * d + 1)
        delta = [Int](repeating: 0, count: dp + 1)
        cap = cutoffs.singleBinCaps(problem)
        stats = ChildSearchStats(pairs: Stats.enabled ? d / 2 : 0)
    }

    deinit {
        for p in [start, end, firstBin, lastBin] { p.deallocate() }
        for p in [coefficient, constant, base, u, conv, convPrefix, crossPrefix, pairPrefix, massPrefix,
                  sigmaMin, sigmaMaxPrefix, scratch] { p.deallocate() }
        sweep.deallocate()
        leaves.deallocate()
    }

    /// Classifies the children of `tree` with index in [lo, hi).
    func run(_ tree: ChildTree, lo: UInt128, hi: UInt128) -> Result {
        self.tree = tree
        t = tree.parent
        self.lo = lo
        self.hi = hi
        result = Result()
        if Stats.enabled { stats = ChildSearchStats(pairs: dp) }
        tailMass = [Int64](repeating: 0, count: dp + 1)
        for i in stride(from: dp - 1, through: 0, by: -1) { tailMass[i] = tailMass[i + 1] + Int64(t[i]) }
        let leftMass = t[0..<halfParent].reduce(0, +)
        asymmetryPrunes = (low...high).map {
            Asymmetry.majorMass(leftMass: 2 * leftMass + $0, total: S) >= asymmetryCutoff
        }
        for k in 0..<(2 * d) { conv[k] = 0 }
        delta[0] = 0
        if lo < hi { descend(pair: 0, start: 0) }
        if Stats.enabled { result.counts.stats = stats }
        return result
    }

    /// The children below pairs 0 … i−1 split (Δ_i = delta[i]), whose first index is `start`.
    private func descend(pair i: Int, start blockStart: UInt128) {
        let left = delta[i]
        var offset = blockStart
        for right in low...high where i < dp - 1 || right == 0 {
            let sigma = 2 * t[i] + right - left
            guard sigma >= 0 else { continue }
            let below = tree.completions(from: i + 1, delta: right)
            let size = UInt128(sigma + 1) * below
            let first = offset
            offset += size
            let clipped = overlap(first, size)
            if clipped == 0 {
                if first >= hi { return }
                continue
            }
            delta[i + 1] = right
            count(.deltaNodes, i)
            if i == halfParent - 1 && asymmetryPrunes[right - low] {
                count(.asymmetryCuts, i)
                result.counts.children += clipped
                result.counts.asymmetryPruned += clipped
                continue
            }
            // Asymmetry is decided at this node, and so below it, from pair n/2 − 1 on.
            let decided = i >= halfParent - 1 || !asymmetryPrunes.contains(true)
            let quadratics = decided && splitQuadratics && i < dp - 1 && sigma >= 2
            if decided {
                // With split quadratics only the hot window is tried here: each split's bound is
                // at least the node's for every window (it knows v where the node has σ_i, and a
                // smaller W_int bound), so a window that cuts the node cuts every split; the first
                // split's scan finds it and its quadratic cuts the rest at once. That is one scan
                // for the nodes some other window cuts instead of one for every node.
                prepareBounds(fixedPairs: i, sigma: sigma)
                if windowValue(hot) > base[hot] || (!quadratics && scanCuts()) {
                    count(.deltaWindowCuts, i)
                    result.counts.children += clipped
                    result.counts.testPruned += clipped
                    continue
                }
            }
            if i == dp - 1 {
                sweepLeaves(sigma: sigma, start: first)
                continue
            }
            var quadratic = SplitQuadratic()
            for v in 0...sigma {
                let childStart = first + UInt128(v) * below
                if childStart + below <= lo { continue }
                if childStart >= hi { break }
                if quadratics && quadratic.window != hot {
                    quadratic = splitQuadratic(pair: i, sigma: sigma)
                    if quadratic.minimum(from: Int64(v), through: Int64(sigma)) > base[quadratic.window] {
                        count(.splitRunCuts, i)
                        let rest = overlap(childStart, UInt128(sigma - v + 1) * below)
                        result.counts.children += rest
                        result.counts.testPruned += rest
                        break
                    }
                }
                count(.splitNodes, i)
                let clippedChild = overlap(childStart, below)
                if decided && (v > cap[2 * i] || sigma - v > cap[2 * i + 1]) {
                    count(.capCuts, i)
                    result.counts.children += clippedChild
                    result.counts.testPruned += clippedChild
                    continue
                }
                // The hot window's bound as a quadratic in v: the first check of `cuts`, in O(1).
                if quadratics && quadratic.value(Int64(v)) > base[quadratic.window] {
                    count(.splitWindowCuts, i)
                    result.counts.children += clippedChild
                    result.counts.testPruned += clippedChild
                    continue
                }
                place(pair: i, Int64(v), Int64(sigma - v), sign: 1)
                if decided && cuts(fixedPairs: i + 1) {
                    count(.splitWindowCuts, i)
                    result.counts.children += clippedChild
                    result.counts.testPruned += clippedChild
                } else {
                    descend(pair: i + 1, start: childStart)
                }
                place(pair: i, Int64(v), Int64(sigma - v), sign: -1)
            }
        }
    }

    /// The hot window's value (`windowValue`) at the node below the split (v, σ − v) of pair i,
    /// as a function of v: y0 + v·slope + v(v−1)/2·curvature.
    ///
    /// **Why it is exact.** At that node (pairs ≤ i split, Δ_{i+1} known) nothing of the bound
    /// but pair i's bins depends on v: σmin_b and σmax_b of the free pairs b > i depend on Δ_b for
    /// b ≤ i+1 only, the free mass is 2·Σ_{b>i} t_b − Δ_{i+1}, and the free × free products are
    /// the free pairs'. Pair i enters the fixed autoconvolution as v², 2v(σ−v), (σ−v)² and
    /// 2u_j·v, 2u_j·(σ−v) (j < 2i), the cross terms as 2v·σmin_b, 2(σ−v)·σmin_b, and the fixed mass
    /// in range linearly, with no clamp that depends on v. So the value is an integer polynomial of
    /// degree ≤ 2 in v, and the one through its exact values at v = 0, 1, 2 (σ ≥ 2) is the same
    /// polynomial: comparing it with base[w] is exactly `cuts`' first check (the hot window), and a
    /// split it cuts is one `cuts` would cut. Splits it does not cut go through `cuts` as before.
    /// `descend` also cuts the rest of a node's splits at once when the quadratic's least value
    /// over them exceeds (`SplitQuadratic.minimum`). Either way only subtrees every child of which
    /// fails are cut, so counts and survivors are those without it; the node counters
    /// (`ChildSearchStats`) show fewer splits visited.
    private func splitQuadratic(pair i: Int, sigma: Int) -> SplitQuadratic {
        var y: [Int64] = [0, 0, 0]
        for x in 0...2 {
            place(pair: i, Int64(x), Int64(sigma - x), sign: 1)
            prepareBounds(fixedPairs: i + 1, sigma: nil)
            y[x] = windowValue(hot)
            place(pair: i, Int64(x), Int64(sigma - x), sign: -1)
        }
        return SplitQuadratic(window: hot, y0: y[0], slope: y[1] - y[0], curvature: y[2] - 2 * y[1] + y[0])
    }

    /// |[first, first + size) ∩ [lo, hi)|.
    @inline(__always)
    private func overlap(_ first: UInt128, _ size: UInt128) -> UInt128 {
        let a = max(first, lo), b = min(first + size, hi)
        return a < b ? b - a : 0
    }

    /// Adds (sign 1) or removes (sign −1) pair i's bins (a, b) to the fixed autoconvolution.
    @inline(__always)
    private func place(pair i: Int, _ a: Int64, _ b: Int64, sign: Int64) {
        let j0 = 2 * i, j1 = j0 + 1
        let sa = sign * 2 * a, sb = sign * 2 * b
        for j in 0..<j0 {
            conv[j + j0] += sa * u[j]
            conv[j + j1] += sb * u[j]
        }
        conv[2 * j0] += sign * a * a
        conv[j0 + j1] += sign * 2 * a * b
        conv[2 * j1] += sign * b * b
        u[j0] = sign > 0 ? a : 0
        u[j1] = sign > 0 ? b : 0
    }

    /// Whether some window prunes every child below the node where pairs < i are split and
    /// Δ_i = delta[i] is known (a split's node; `descend` checks its (pair, Δ) nodes itself). See
    /// the type's comment.
    private func cuts(fixedPairs i: Int) -> Bool {
        prepareBounds(fixedPairs: i, sigma: nil)
        return windowValue(hot) > base[hot] || scanCuts()
    }

    /// Whether some window cuts the node `prepareBounds` described; the first that does becomes
    /// the hot window.
    private func scanCuts() -> Bool {
        for w in 0..<windowCount where windowValue(w) > base[w] {
            hot = w
            return true
        }
        return false
    }

    /// The state behind `windowValue`, set by `prepareBounds`.
    private var boundFixedBins = 0, boundFreeMass: Int64 = 0

    /// Prefix sums for the bounds of `cuts` at the node where pairs < i are split and Δ_i is
    /// known (and Δ_{i+1} too when `sigma` is given); see the type's comment.
    private func prepareBounds(fixedPairs i: Int, sigma: Int?) {
        let fixedBins = 2 * i
        // Pair sum ranges of the free pairs i … dp−1; Δ_b is known for b ≤ `knownUpTo`.
        let knownUpTo = sigma == nil ? i : i + 1
        sigmaMaxPrefix[i] = 0
        for b in i..<dp {
            let leftLow = b <= knownUpTo ? delta[b] : low, leftHigh = b <= knownUpTo ? delta[b] : high
            let last = b == dp - 1
            let rightLow = last ? 0 : (b + 1 <= knownUpTo ? delta[b + 1] : low)
            let rightHigh = last ? 0 : (b + 1 <= knownUpTo ? delta[b + 1] : high)
            sigmaMin[b] = Int64(max(0, 2 * t[b] + rightLow - leftHigh))
            sigmaMaxPrefix[b + 1] = sigmaMaxPrefix[b] + Int64(2 * t[b] + rightHigh - leftLow)
        }
        let freeMass = 2 * tailMass[i] - Int64(delta[i])
        // Prefix sums of the fixed conv, of the fixed × free cross terms (at p = j + 2b, needing
        // [p, p+1] inside the window) and of the free × free products (at q = b + b').
        let positions = 2 * d - 1
        for k in 0..<positions { scratch[k] = 0 }
        for j in 0..<fixedBins where u[j] != 0 {
            let twice = 2 * u[j]
            for b in i..<dp { scratch[j + 2 * b] += twice * sigmaMin[b] }
        }
        convPrefix[0] = 0
        crossPrefix[0] = 0
        for k in 0..<positions {
            convPrefix[k + 1] = convPrefix[k] + conv[k]
            crossPrefix[k + 1] = crossPrefix[k] + scratch[k]
        }
        for q in 0..<d { scratch[q] = 0 }
        for b in i..<dp where sigmaMin[b] != 0 {
            let x = sigmaMin[b]
            scratch[2 * b] += x * x
            for b2 in (b + 1)..<max(b + 1, dp) { scratch[b + b2] += 2 * x * sigmaMin[b2] }
        }
        pairPrefix[0] = 0
        for q in 0..<(d - 1) { pairPrefix[q + 1] = pairPrefix[q] + scratch[q] }
        massPrefix[0] = 0
        for j in 0..<fixedBins { massPrefix[j + 1] = massPrefix[j] + u[j] }
        boundFixedBins = fixedBins
        boundFreeMass = freeMass
    }

    /// Window w's lower bound on WS − K over the node `prepareBounds` described: the node is cut
    /// when it exceeds base[w].
    @inline(__always)
    private func windowValue(_ w: Int) -> Int64 {
        let fixedBins = boundFixedBins
        let s = start[w], e = end[w]
        var bound = convPrefix[e + 1] - convPrefix[s] + crossPrefix[e] - crossPrefix[s]
        let qLow = (s + 1) / 2, qHigh = (e - 2) >> 1
        if e >= 2 && qLow <= qHigh { bound += pairPrefix[qHigh + 1] - pairPrefix[qLow] }
        let k = coefficient[w]
        if k != 0 {
            let first = firstBin[w], last = lastBin[w]
            var inRange: Int64 = 0
            if first < fixedBins { inRange = massPrefix[min(last, fixedBins - 1) + 1] - massPrefix[first] }
            if last >= fixedBins {
                let pairFirst = max(first, fixedBins) / 2, pairLast = last / 2
                inRange += min(boundFreeMass, sigmaMaxPrefix[pairLast + 1] - sigmaMaxPrefix[pairFirst])
            }
            bound -= k * inRange
        }
        return bound - constant[w]
    }

    /// The last pair: all splits v of σ in the clipped range, each one child, as one leaf sweep
    /// (`Sweep`: with d − 2 bins fixed every window value is a quadratic in v). One
    /// window that exceeds over the whole range decides it at once, as at level 0.
    private func sweepLeaves(sigma: Int, start first: UInt128) {
        let vLow = first < lo ? Int(lo - first) : 0
        let vHigh = Int(min(UInt128(sigma), hi - 1 - first))
        guard vLow <= vHigh else { return }
        let r = Int64(sigma), size = UInt128(vHigh - vLow + 1)
        if Stats.enabled { stats[.leafSweeps] &+= 1 }
        sweep.prepare(fixed: u, conv: conv, remaining: sigma)
        if leaves.hotExceedsEverywhere(sweep, remaining: r, corrected: true, from: vLow, through: vHigh, base) {
            if Stats.enabled { stats[.sweepsDecided] &+= 1 }
            result.counts.children += size
            result.counts.testPruned += size
            return
        }
        leaves.load(sweep, remaining: r, corrected: true)
        var mask: UInt64 = 0
        for b in 1..<dp where delta[b] == high && high != low { mask |= 1 << UInt64(b - 1) }
        if Stats.enabled { stats[.leavesEvaluated] &+= UInt64(vHigh - vLow + 1) }
        for v in vLow...vHigh {
            result.counts.children += 1
            if leaves.exceeds(Int64(v), base) {
                result.counts.testPruned += 1
                continue
            }
            var child = (0..<(d - 2)).map { Int(u[$0]) }
            child.append(v)
            child.append(sigma - v)
            result.counts.survivors += 1
            result.survivors.append(child)
            result.survivingPatterns.insert(mask)
        }
    }
}

/// Whether `ChildSearch` collects `ChildSearchStats`, decided at compile time.
protocol ChildStatsMode: SendableMetatype {
    static var enabled: Bool { get }
}

/// The default: no counters, no cost.
enum NoChildStats: ChildStatsMode {
    @inline(__always) static var enabled: Bool { false }
}

/// `cascade --stats`.
enum WithChildStats: ChildStatsMode {
    @inline(__always) static var enabled: Bool { true }
}

/// What `ChildSearch.run` found in one range.
struct ChildSearchResult {
    var counts = ChildCounts()
    var survivors: [[Int]] = []
    /// Patterns (bit b−1 set when Δ_b = Δ_hi) with at least one survivor in the range.
    var survivingPatterns = Set<UInt64>()
}

/// The hot window's bound below a split as a quadratic in v (`ChildSearch.splitQuadratic`);
/// window −1: none yet.
struct SplitQuadratic {
    var window = -1
    var y0: Int64 = 0, slope: Int64 = 0, curvature: Int64 = 0

    @inline(__always)
    func value(_ x: Int64) -> Int64 { y0 + x * slope + (x * (x - 1) / 2) * curvature }

    /// The least value at an integer x in [a, b] (a ≤ b). Its forward difference
    /// value(x + 1) − value(x) = slope + x·curvature grows with x when curvature > 0, so the
    /// minimum is at the first x where it is ≥ 0, ⌈−slope / curvature⌉, clamped to [a, b];
    /// otherwise it shrinks (or is constant) and the minimum is at an end.
    func minimum(from a: Int64, through b: Int64) -> Int64 {
        var least = min(value(a), value(b))
        if curvature > 0 {
            let (q, r) = (-slope).quotientAndRemainder(dividingBy: curvature)
            let turn = q + (r > 0 ? 1 : 0)
            least = min(least, value(min(max(turn, a), b)))
        }
        return least
    }
}
