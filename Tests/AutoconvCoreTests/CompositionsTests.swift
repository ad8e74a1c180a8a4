import AutoconvCore
import BigInt
import Testing
import TestSupport

/// Counting, ranking and unranking (Compositions.swift), checked against plain enumeration.
@Suite struct CompositionsTests {
    /// Every composition of `sum` into `parts` parts, in lexicographic order, by plain recursion.
    static func enumerate(parts d: Int, sum S: Int) -> [[Int]] {
        if d == 1 { return [[S]] }
        return (0...S).flatMap { first in enumerate(parts: d - 1, sum: S - first).map { [first] + $0 } }
    }

    @Test(arguments: [(1, 0), (1, 9), (2, 0), (2, 7), (3, 6), (4, 9), (5, 5), (6, 4), (4, 12)])
    func countAndOrderMatchEnumeration(d: Int, S: Int) throws {
        let all = Self.enumerate(parts: d, sum: S)
        #expect(Compositions.count(parts: d, sum: S).description == String(BigUInt(all.count)))
        let table = try #require(BinomialTable<UInt64>(maxTop: S + d, maxBottom: d))
        for (r, c) in all.enumerated() {
            #expect(table.unrank(UInt64(r), parts: d, sum: S) == c, "unrank(\(r)), d=\(d) S=\(S)")
            #expect(table.rank(c, sum: S) == UInt64(r), "rank(\(c))")
        }
        #expect(table.unrank(UInt64(all.count), parts: d, sum: S) == nil, "one past the last rank")
    }

    @Test func countMatchesKnownBinomials() {
        // method.md §2: n = 2, m = 10 has C(83, 3) = 91,881 compositions.
        #expect(Compositions.count(parts: 4, sum: 80) == 91_881)
        for (d, S) in [(1, 0), (1, 100), (2, 5), (6, 60), (12, 100), (24, 200), (48, 4800), (64, 46_340)] {
            #expect(Compositions.count(parts: d, sum: S).description == String(binomial(S + d - 1, d - 1)), "d=\(d) S=\(S)")
        }
    }

    /// BigCount against BigUInt: products and quotients by random words, conversions at the
    /// 64- and 128-bit edges, decimal text.
    @Test func bigCountMatchesBigUInt() {
        var rng = SeededGenerator(seed: 0xb1c)
        var mine: BigCount = 1, theirs = BigUInt(1)
        for _ in 0..<60 {
            let k = UInt32.random(in: 1...UInt32.max, using: &rng)
            mine.multiply(by: k)
            theirs *= BigUInt(k)
            #expect(mine.description == String(theirs))
        }
        for _ in 0..<60 {
            let k = UInt32.random(in: 1...UInt32.max, using: &rng)
            #expect(UInt64(mine.divide(by: k)) == UInt64(theirs % BigUInt(k)))
            theirs /= BigUInt(k)
            #expect(mine.description == String(theirs))
        }
        #expect(BigCount(0).description == "0" && BigCount(0).exactly(UInt64.self) == 0)
        var edge = BigCount(UInt64.max)
        #expect(edge.exactly(UInt64.self) == UInt64.max && edge > BigCount(UInt64.max - 1))
        edge.multiply(by: 2)
        #expect(edge.exactly(UInt64.self) == nil && edge.exactly(UInt128.self) == UInt128(UInt64.max) * 2)
        #expect(edge.description == "36893488147419103230")
    }

    /// Shapes for the round-trip property: (d, S), up to and past 2^64 compositions.
    static let shapes64: [(Int, Int)] = [(2, 40), (4, 80), (6, 60), (8, 30), (12, 100), (16, 60), (24, 50)]
    /// Grids n = 4, m = 60 and n = 3, m = 406: about 2^58 and 2^55 compositions, so every rank
    /// fits 64 bits, though C(S+d, d) does not.
    static let nearLimit64: [(Int, Int)] = [(8, 960), (6, 4872)]
    /// (20, 80) and (24, 200) have more than 2^64 compositions.
    static let shapes128: [(Int, Int)] = [(4, 80), (6, 60), (12, 100), (20, 80), (24, 200)]

    @Test(arguments: shapes64 + nearLimit64)
    func roundTripUInt64(d: Int, S: Int) throws {
        var rng = SeededGenerator(seed: UInt64(d * 100_003 + S))
        try Self.checkRoundTrip(UInt64.self, d: d, S: S, rng: &rng)
    }

    @Test(arguments: shapes128)
    func roundTripUInt128(d: Int, S: Int) throws {
        var rng = SeededGenerator(seed: UInt64(d * 200_003 + S))
        try Self.checkRoundTrip(UInt128.self, d: d, S: S, rng: &rng)
    }

    @Test func countsPast128BitsAreRefused() {
        // d = 48, S = 4800 (n = 24, m = 50) has about 2^378 compositions.
        let c = [4800] + [Int](repeating: 0, count: 47)
        #expect(Compositions.rank(c, sum: 4800, as: UInt64.self) == nil)
        #expect(Compositions.rank(c, sum: 4800, as: UInt128.self) == nil)
        #expect(Compositions.unrank(UInt128(0), parts: 48, sum: 4800) == nil)
        // (20, 80) fits 128 bits but not 64.
        #expect(Compositions.unrank(UInt64(0), parts: 20, sum: 80) == nil)
        #expect(Compositions.unrank(UInt128(0), parts: 20, sum: 80) == [Int](repeating: 0, count: 19) + [80])
    }

    /// Ends of the range, their neighbours and random ranks: rank(unrank(r)) == r, unrank(r) is
    /// a composition, and unrank(r) < unrank(r + 1) lexicographically. The ends go through the
    /// `Compositions` entry points, which must work whenever the count fits `T`; the random
    /// ranks through one table of the smallest size that ranking needs, C(S+d−1, d−1).
    static func checkRoundTrip<T: FixedWidthInteger & UnsignedInteger & Sendable>(
        _: T.Type, d: Int, S: Int, rng: inout SeededGenerator
    ) throws {
        let total = try #require(Compositions.count(parts: d, sum: S).exactly(T.self), "count of d=\(d) S=\(S) fits \(T.self)")
        #expect(Compositions.unrank(T(0), parts: d, sum: S) == [Int](repeating: 0, count: d - 1) + [S], "d=\(d) S=\(S)")
        #expect(Compositions.unrank(total - 1, parts: d, sum: S) == [S] + [Int](repeating: 0, count: d - 1), "d=\(d) S=\(S)")
        #expect(Compositions.unrank(total, parts: d, sum: S) == nil, "rank = count is out of range")
        #expect(Compositions.rank([S] + [Int](repeating: 0, count: d - 1), sum: S, as: T.self) == total - 1, "d=\(d) S=\(S)")

        let table = try #require(BinomialTable<T>(maxTop: S + d - 1, maxBottom: d - 1))
        var ranks: [T] = [0, 1, total / 2, total - 2, total - 1]
        for _ in 0..<200 { ranks.append(T.random(in: 0..<total, using: &rng)) }
        for r in ranks {
            let c = try #require(table.unrank(r, parts: d, sum: S), "unrank(\(r)) d=\(d) S=\(S)")
            #expect(c.count == d && c.allSatisfy { $0 >= 0 } && c.reduce(0, +) == S, "\(c)")
            #expect(table.rank(c, sum: S) == r, "rank(unrank(\(r)))")
            if r < total - 1 {
                let next = try #require(table.unrank(r + 1, parts: d, sum: S))
                #expect(c.lexicographicallyPrecedes(next), "unrank(\(r)) < unrank(\(r + 1))")
            }
        }
    }

    @Test func canonicalIsTheSmallerOfCompositionAndReverse() {
        let naive = NaiveSolver(n: 2, m: 2, rule: .refined, windows: .twoD)
        var canonical = 0, total = 0
        naive.forEachComposition { _, c in
            total += 1
            if Compositions.isCanonical(c) { canonical += 1 }
            #expect(Compositions.isCanonical(c) == naive.isCanonical(c), "\(c)")
            #expect(Compositions.isCanonical(c) || Compositions.isCanonical(c.reversed()), "\(c)")
        }
        #expect(canonical > total / 2 && canonical < total)
    }
}
