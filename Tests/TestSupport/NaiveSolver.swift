import AutoconvCore

/// A deliberately naive second implementation of method.md: the oracle the fast engines are
/// checked against. It must stay obviously correct, so it shares no logic with AutoconvCore
/// (only the value types `Fraction`, `Rule`, `WindowSet` and the plain records `Minimum`,
/// `ProveCounts`, `Survivor`):
/// - compositions come from plain recursion in lexicographic order; a rank is a running count;
/// - every autoconvolution is recomputed from scratch over all ordered pairs;
/// - every window (ℓ, s) is summed term by term; |W| and the bins that reach a window are found
///   by trying every pair (i, j);
/// - every decision is the inequality of method.md, cross-multiplied exactly, with no
///   precomputed cut-offs; asymmetry uses `Rational` (L, 1/(4m) and τ² = c_t/2, squared sides);
/// - no pruning, no reversal symmetry, no incremental state.
///
/// O(d²) work per window and composition: only for grids of a few thousand compositions
/// (a few hundred thousand at most).
public struct NaiveSolver {
    public let n: Int
    public let m: Int
    public let rule: Rule
    public let windowSet: WindowSet
    public var d: Int { 2 * n }
    public var S: Int { 4 * n * m }

    /// A window (ℓ, s) with the facts that do not depend on the composition.
    struct NaiveWindow {
        let length: Int
        let start: Int
        /// |W|: ordered pairs (i, j) with s ≤ i + j ≤ s + ℓ − 2.
        let pairs: Int
        /// Bins i that meet the window with some j, i.e. that "can reach" it.
        let reachingBins: [Int]
    }

    let windows: [NaiveWindow]
    /// asym(c) for every left mass A = Σ_{i<n} c_i (it depends on c only through A).
    let asymmetryByLeftMass: [Rational]

    public init(n: Int, m: Int, rule: Rule, windows windowSet: WindowSet) {
        self.n = n
        self.m = m
        self.rule = rule
        self.windowSet = windowSet
        let d = 2 * n
        var list: [NaiveWindow] = []
        for length in 2...(windowSet == .d ? d : 2 * d) {
            for start in 0...(2 * d - length) {
                var pairs = 0
                var reaching: Set<Int> = []
                for i in 0..<d {
                    for j in 0..<d where start <= i + j && i + j <= start + length - 2 {
                        pairs += 1
                        reaching.insert(i)
                    }
                }
                list.append(NaiveWindow(length: length, start: start, pairs: pairs, reachingBins: reaching.sorted()))
            }
        }
        windows = list
        asymmetryByLeftMass = (0...(4 * n * m)).map { NaiveSolver.asymmetry(leftMass: $0, n: n, m: m) }
    }

    public init(_ problem: Problem) {
        self.init(n: problem.n, m: problem.m, rule: problem.rule, windows: problem.windows)
    }

    // MARK: Single compositions

    /// Every composition of S into d parts, in lexicographic order, with its rank (its position).
    public func forEachComposition(_ body: (_ rank: UInt64, _ c: [Int]) -> Void) {
        var c = [Int](repeating: 0, count: d)
        var rank: UInt64 = 0
        func place(_ i: Int, _ remaining: Int) {
            if i == d - 1 {
                c[i] = remaining
                body(rank, c)
                rank += 1
                return
            }
            for v in 0...remaining {
                c[i] = v
                place(i + 1, remaining - v)
            }
        }
        place(0, S)
    }

    /// conv[k] = Σ_{i+j=k} c_i c_j over ordered pairs.
    public func autoconvolution(_ c: [Int]) -> [Int] {
        var conv = [Int](repeating: 0, count: 2 * d - 1)
        for i in 0..<d {
            for j in 0..<d { conv[i + j] += c[i] * c[j] }
        }
        return conv
    }

    func windowSum(_ conv: [Int], _ w: NaiveWindow) -> Int {
        var sum = 0
        for k in w.start...(w.start + w.length - 2) { sum += conv[k] }
        return sum
    }

    /// 4nℓm², the denominator of a window's test value.
    func scale(_ w: NaiveWindow) -> Int { 4 * n * w.length * m * m }

    /// K of the problem's rule: 4nℓ(2m+1) (flat), or 2(ℓ−1)·W_int + |W| (refined).
    func correction(_ c: [Int], _ w: NaiveWindow) -> Int {
        switch rule {
        case .flat: return 4 * n * w.length * (2 * m + 1)
        case .refined: return 2 * (w.length - 1) * w.reachingBins.reduce(0) { $0 + c[$1] } + w.pairs
        }
    }

    /// The corrections of every window, ordered by ℓ then s.
    public func corrections(_ c: [Int]) -> [(length: Int, start: Int, correction: Int)] {
        windows.map { ($0.length, $0.start, correction(c, $0)) }
    }

    /// 2·(max(L, 1−L) − 1/(4m))₊² with L = A/S.
    static func asymmetry(leftMass: Int, n: Int, m: Int) -> Rational {
        let left = Rational(leftMass, 4 * n * m)
        let excess: Rational = max(left, Rational(1) - left) - Rational(1, 4 * m)
        return excess < Rational.zero ? Rational.zero : Rational(2) * excess * excess
    }

    func leftMass(_ c: [Int]) -> Int { c[0..<n].reduce(0, +) }

    /// asym(c) = 2·(max(L, 1−L) − 1/(4m))₊² with L = Σ_{i<n} c_i / S.
    public func asymmetryValue(_ c: [Int]) -> Rational { asymmetryByLeftMass[leftMass(c)] }

    /// asym of any composition with left mass A = Σ_{i<n} c_i.
    public func asymmetryValue(leftMass: Int) -> Rational { asymmetryByLeftMass[leftMass] }

    /// test(c) = max over windows of WS/(4nℓm²), and cert(c) = max(max_W (WS − K_W)/(4nℓm²),
    /// asym(c)), from one autoconvolution.
    public func values(_ c: [Int]) -> (test: Fraction, certified: Fraction) {
        let (test, corrected) = windowValues(c)
        return (test, max(corrected, asymmetryValue(c).fraction!))
    }

    /// test(c), and max_W (WS − K_W)/(4nℓm²) (the value prove compares with the target).
    public func windowValues(_ c: [Int]) -> (test: Fraction, corrected: Fraction) {
        let conv = autoconvolution(c)
        let tests: [Fraction] = windows.map { w in
            Fraction(Int64(windowSum(conv, w)), Int64(scale(w)))
        }
        let corrected: [Fraction] = windows.map { w in
            Fraction(Int64(windowSum(conv, w) - correction(c, w)), Int64(scale(w)))
        }
        return (tests.max()!, corrected.max()!)
    }

    public func testValue(_ c: [Int]) -> Fraction { values(c).test }

    public func certifiedValue(_ c: [Int]) -> Fraction { values(c).certified }

    /// L ≥ τ + 1/(4m) or L ≤ 1 − τ − 1/(4m), with τ = √(c_t/2) and L = A/S: both sides
    /// squared, each only where the side without τ is non-negative.
    public func isAsymmetryPruned(leftMass: Int, target: Fraction) -> Bool {
        let left = Rational(leftMass, S)
        let margin = Rational(1, 4 * m)
        let tauSquared: Rational = Rational(target) / Rational(2)
        let high: Rational = left - margin                // L ≥ τ + margin ⇔ high ≥ τ
        let low: Rational = Rational(1) - margin - left   // L ≤ 1 − τ − margin ⇔ low ≥ τ
        if high >= Rational.zero && high * high >= tauSquared { return true }
        return low >= Rational.zero && low * low >= tauSquared
    }

    public func isAsymmetryPruned(_ c: [Int], target: Fraction) -> Bool {
        isAsymmetryPruned(leftMass: leftMass(c), target: target)
    }

    /// Some window prunes: flat WS > 4nℓ(c_t·m² + 2m + 1), refined WS − K > c_t·4nℓm², each
    /// multiplied through by the target's denominator.
    public func isTestPruned(_ c: [Int], target: Fraction) -> Bool {
        let conv = autoconvolution(c)
        let p = Int128(target.numerator), q = Int128(target.denominator)
        let mm = Int128(m)
        for w in windows {
            let ws = Int128(windowSum(conv, w))
            let fourNL = Int128(4 * n * w.length)
            switch rule {
            case .flat:
                let bound: Int128 = fourNL * (p * mm * mm + q * (2 * mm + 1))
                if q * ws > bound { return true }
            case .refined:
                let corrected: Int128 = ws - Int128(correction(c, w))
                if q * corrected > p * fourNL * mm * mm { return true }
            }
        }
        return false
    }

    /// c ≤ reverse(c) lexicographically.
    public func isCanonical(_ c: [Int]) -> Bool {
        let r = Array(c.reversed())
        return c == r || c.lexicographicallyPrecedes(r)
    }

    // MARK: Whole grid

    /// min test(c) and min cert(c) over the compositions whose rank lies in `ranks` (all when
    /// nil), over canonical ones only when `canonicalOnly`; ties go to the smaller rank.
    public func bound(ranks: Range<UInt64>? = nil, canonicalOnly: Bool) -> (minTest: Minimum?, minCertified: Minimum?) {
        var minTest: Minimum?, minCertified: Minimum?
        forEachComposition { rank, c in
            guard ranks?.contains(rank) ?? true, !canonicalOnly || isCanonical(c) else { return }
            let (test, cert) = values(c)
            if minTest.map({ test < $0.value }) ?? true { minTest = Minimum(value: test, rank: rank, composition: c) }
            if minCertified.map({ cert < $0.value }) ?? true { minCertified = Minimum(value: cert, rank: rank, composition: c) }
        }
        return (minTest, minCertified)
    }

    /// Prove-mode counts and survivors (in rank order) over the ranks in `ranks` (all when nil):
    /// asymmetry first, then the rule's windows, else a survivor.
    public func prove(target: Fraction, ranks: Range<UInt64>? = nil) -> (counts: ProveCounts, survivors: [Survivor]) {
        var counts = ProveCounts()
        var survivors: [Survivor] = []
        let asymmetryPrunes = (0...S).map { isAsymmetryPruned(leftMass: $0, target: target) }
        forEachComposition { rank, c in
            guard ranks?.contains(rank) ?? true else { return }
            if asymmetryPrunes[leftMass(c)] {
                counts.asymmetryPruned += 1
            } else if isTestPruned(c, target: target) {
                counts.testPruned += 1
            } else {
                counts.survivors += 1
                if isCanonical(c) { counts.canonicalSurvivors += 1 }
                survivors.append(Survivor(rank: rank, composition: c))
            }
        }
        return (counts, survivors)
    }
}
