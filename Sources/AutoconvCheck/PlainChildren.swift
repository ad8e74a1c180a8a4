/// The relaxed children of method.md §5 done the plain way for the cascade checker: pattern by
/// pattern, split by split, sharing no code with `AutoconvCore.ChildTree` or the engines.
///
/// A parent t (d parts) has the children u (2d parts) with pair sums
/// σ_i = u_{2i} + u_{2i+1} = 2t_i + Δ_{i+1} − Δ_i, Δ_0 = Δ_d = 0, Δ_1 … Δ_{d−1} ∈ {0, 1}; a
/// pattern with some σ_i < 0 has no children.
enum PlainChildren {
    /// The one parent of a child u with an even total: Δ_i is the parity of the prefix sum
    /// u_0 + … + u_{2i−1}, and t_i = (σ_i − Δ_{i+1} + Δ_i)/2. The result is never negative
    /// (a zero pair leaves the parity, hence Δ, unchanged).
    static func parent(of u: [Int]) -> [Int] {
        let d = u.count / 2
        var t = [Int](repeating: 0, count: d)
        var prefix = 0
        for i in 0..<d {
            let low = prefix & 1
            prefix += u[2 * i] + u[2 * i + 1]
            let high = i + 1 == d ? 0 : prefix & 1
            t[i] = (u[2 * i] + u[2 * i + 1] - high + low) / 2
        }
        return t
    }

    /// The exact number of children of `t`, or nil from 2^128 on.
    static func count(of t: [Int]) -> UInt128? {
        // ways[Δ] = children of pairs i … d−1 given Δ_i, from the right (Δ_d = 0). Every term
        // computed is at most the total (Δ_i = 1 is reachable from any prefix, as σ_{i−1} ≥ 0
        // then), so an overflow anywhere means the total is 2^128 or more.
        var ways: [UInt128] = [1, 0]
        for i in stride(from: t.count - 1, through: 0, by: -1) {
            var next: [UInt128] = [0, 0]
            for low in 0...(i == 0 ? 0 : 1) {
                for high in 0...(i + 1 == t.count ? 0 : 1) {
                    let sigma = 2 * t[i] + high - low
                    guard sigma >= 0 else { continue }
                    let (product, o1) = UInt128(sigma + 1).multipliedReportingOverflow(by: ways[high])
                    let (sum, o2) = next[low].addingReportingOverflow(product)
                    guard !o1, !o2 else { return nil }
                    next[low] = sum
                }
            }
            ways = next
        }
        return ways[0]
    }

    /// The number of children of `t`, or `cap` if there are more.
    static func count(of t: [Int], cappedAt cap: UInt64) -> UInt64 {
        guard let exact = count(of: t), exact < UInt128(cap) else { return cap }
        return UInt64(exact)
    }

    /// Calls `body` with every child of `t`, pattern by pattern (Δ_1 first), each split in turn.
    static func forEach(of t: [Int], _ body: ([Int]) -> Void) {
        let d = t.count
        var u = [Int](repeating: 0, count: 2 * d)
        func pair(_ i: Int, low: Int) {
            for high in 0...(i + 1 == d ? 0 : 1) {
                let sigma = 2 * t[i] + high - low
                guard sigma >= 0 else { continue }
                for v in 0...sigma {
                    u[2 * i] = v
                    u[2 * i + 1] = sigma - v
                    if i + 1 == d { body(u) } else { pair(i + 1, low: high) }
                }
            }
        }
        pair(0, low: 0)
    }

    /// A random child of `t`: Δ_1, Δ_2, … chosen left to right, each uniformly among the values
    /// that keep the pattern valid (Δ_i = 0 needs σ_{i−1} ≥ 0; Δ_i = 1 needs a part t_j ≥ 1 at
    /// some j ≥ i, so that the run of ones can end), then every split u_{2i} uniform in 0…σ_i.
    /// Every child has positive probability; the distribution is not uniform over children.
    static func random(of t: [Int], using generator: inout some RandomNumberGenerator) -> [Int] {
        let d = t.count
        var massFrom = [Bool](repeating: false, count: d + 1)
        for j in stride(from: d - 1, through: 0, by: -1) { massFrom[j] = massFrom[j + 1] || t[j] > 0 }
        var delta = [Int](repeating: 0, count: d + 1)
        for i in 1..<d {
            var allowed: [Int] = []
            if 2 * t[i - 1] - delta[i - 1] >= 0 { allowed.append(0) }
            if massFrom[i] { allowed.append(1) }
            delta[i] = allowed.randomElement(using: &generator)!
        }
        var u = [Int](repeating: 0, count: 2 * d)
        for i in 0..<d {
            let sigma = 2 * t[i] + delta[i + 1] - delta[i]
            u[2 * i] = Int.random(in: 0...sigma, using: &generator)
            u[2 * i + 1] = sigma - u[2 * i]
        }
        return u
    }
}
