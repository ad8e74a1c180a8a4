/// Compositions of S into d ordered parts in lexicographic order, done the plain way for the
/// checker: counting by the product formula, unranking by a linear scan, stepping with an
/// odometer. Deliberately shares no code with `AutoconvCore.Compositions` or the search engines,
/// so a bug there cannot hide itself here.
///
/// Order: rank 0 is (0, …, 0, S), the last rank is (S, 0, …, 0), as `Compositions` documents.
/// Lexicographic order is rank order, so rank comparisons can be made on compositions directly.
enum PlainCompositions {
    /// C(r+k−1, k−1), the compositions of r into k ≥ 1 parts; nil past 128 bits.
    static func count(parts k: Int, sum r: Int) -> UInt128? {
        guard r >= 0 else { return 0 }
        var result: UInt128 = 1
        for i in 1..<max(k, 1) {
            // result·(r+i)/i is the exact binomial C(r+i, i) at every step.
            let (product, overflow) = result.multipliedReportingOverflow(by: UInt128(r + i))
            guard !overflow else { return nil }
            result = product / UInt128(i)
        }
        return result
    }

    /// The composition at `rank`, or nil if `rank` is not below the count.
    static func unrank(_ rank: UInt64, parts d: Int, sum S: Int) -> [Int]? {
        guard let total = count(parts: d, sum: S), UInt128(rank) < total else { return nil }
        var c = [Int](repeating: 0, count: d)
        var r = UInt128(rank)
        var remaining = S
        for i in 0..<(d - 1) {
            // Skip past every block of compositions whose part i is smaller; each block size is
            // a sub-count of `total`, so it fits.
            var v = 0
            while true {
                let block = count(parts: d - i - 1, sum: remaining - v)!
                if r < block { break }
                r -= block
                v += 1
            }
            c[i] = v
            remaining -= v
        }
        c[d - 1] = remaining
        return c
    }

    /// Steps `c` to the next composition in lexicographic order; false at the last one.
    static func advance(_ c: inout [Int]) -> Bool {
        // The last non-zero part at t ≥ 1 gives one unit to position t − 1, and everything after
        // t − 1 restarts at its smallest arrangement (0, …, 0, rest).
        guard let t = c.lastIndex(where: { $0 != 0 }), t > 0 else { return false }
        let rest = c[t] - 1
        c[t - 1] += 1
        for j in t..<c.count { c[j] = 0 }
        c[c.count - 1] += rest
        return true
    }

    /// Strict lexicographic a < b.
    static func precedes(_ a: [Int], _ b: [Int]) -> Bool {
        a.lexicographicallyPrecedes(b)
    }
}
