/// How prove mode classifies one composition (method.md §3, counting convention).
public enum Verdict: Int, Sendable {
    case asymmetryPruned, testPruned, survivor
}

/// Exact evaluation of single compositions, straight from the definitions: the reference that
/// the fast engines, the kernels and the self-test are checked against. No pruning, no
/// incremental state; O(d²) per composition.
public struct Evaluator: Sendable {
    public let problem: Problem
    public let windows: [Window]

    public init(problem: Problem) {
        self.problem = problem
        windows = problem.windowList
    }

    /// conv[k] = Σ_{i+j=k} c_i c_j over ordered pairs, k = 0 … 2d−2.
    public func autoconvolution(_ c: [Int]) -> [Int64] {
        var conv = [Int64](repeating: 0, count: 2 * c.count - 1)
        for i in c.indices {
            for j in c.indices { conv[i + j] += Int64(c[i]) * Int64(c[j]) }
        }
        return conv
    }

    /// WS(ℓ,s) for every window, in `windows` order.
    public func windowSums(_ c: [Int]) -> [Int64] {
        let conv = autoconvolution(c)
        var prefix = [Int64](repeating: 0, count: conv.count + 1)
        for k in conv.indices { prefix[k + 1] = prefix[k] + conv[k] }
        return windows.map { prefix[$0.end + 1] - prefix[$0.start] }
    }

    /// The correction K_w that the problem's rule subtracts from WS.
    public func correction(_ w: Window, _ c: [Int]) -> Int64 {
        switch problem.rule {
        case .flat: return w.flatCorrection
        case .refined:
            let inRange = c[w.firstBin...w.lastBin].reduce(0, +)
            return w.refinedCoefficient * Int64(inRange) + w.pairCount
        }
    }

    /// test(c) = max over windows of WS/(4nℓm²).
    public func testValue(_ c: [Int]) -> Fraction {
        zip(windows, windowSums(c)).map { Fraction($1, $0.denominator) }.max()!
    }

    /// The major half mass M = max(A, S − A) with A = Σ_{i<n} c_i.
    public func majorMass(_ c: [Int]) -> Int {
        Asymmetry.majorMass(leftMass: c[0..<problem.n].reduce(0, +), total: problem.S)
    }

    /// max_W (WS − K_W)/(4nℓm²) with the problem's rule: the value prove mode compares with the
    /// target (a composition that asymmetry does not prune survives iff this is ≤ the target).
    public func correctedTestValue(_ c: [Int]) -> Fraction {
        zip(windows, windowSums(c)).map { w, ws in Fraction(ws - correction(w, c), w.denominator) }.max()!
    }

    /// cert(c) = max(max_W (WS − K_W)/(4nℓm²), asym(c)) (method.md §4).
    public func certifiedValue(_ c: [Int]) -> Fraction {
        max(correctedTestValue(c), Asymmetry.certifiedValue(majorMass: majorMass(c), problem: problem))
    }

    /// Asymmetry first, then any window, else a survivor.
    public func verdict(_ c: [Int], cutoffs: ProveCutoffs) -> Verdict {
        if majorMass(c) >= cutoffs.asymmetryCutoff { return .asymmetryPruned }
        let target = cutoffs.target
        for (w, ws) in zip(windows, windowSums(c)) where Fraction(ws - correction(w, c), w.denominator) > target {
            return .testPruned
        }
        return .survivor
    }
}
