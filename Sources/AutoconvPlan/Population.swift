import AutoconvCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The parents of one cascade level as the planner sees them: a weighted set of compositions
/// (weight = how many real parents a unit stands for), stratified by a cheap cost proxy, the
/// child count of its `ChildTree` (known without expanding it), in half-octave strata.
///
/// Parents stream in (the exact survivors of level 0, or the survivors of the sampled parents
/// of the level before) and are never all kept: each stratum keeps its first `slots` units (so a
/// small level is enumerated exactly) and `slots` independent draws with probability
/// proportional to weight (sampling with replacement, one weighted reservoir of size 1 per
/// slot, advanced by geometric skips). All of it follows from the seed and the order of the
/// stream, never from timing.
///
/// Floating point here only weighs estimates of time and counts; nothing in it decides a prune.
final class Population {
    struct Unit {
        let parent: [Int]
        let weight: Double
        /// Children of this parent at the next level (`ChildTree.count`).
        let children: UInt128
    }

    final class Stratum {
        /// Every unit, while there are at most `slots` of them (nil afterwards).
        var all: [Unit]? = []
        /// Independent draws, each with probability ∝ weight.
        var draws: [Unit?]
        var distinct = 0
        var weight = 0.0
        /// Σ weight · children: the stratum's share of the level's children.
        var weightedChildren = 0.0

        init(slots: Int) { draws = Array(repeating: nil, count: slots) }
    }

    let slots: Int
    let deltas: DeltaRange
    private var random: SplitMix64
    private(set) var strata: [Int: Stratum] = [:]
    /// Whether every unit so far has weight 1 (then `exactCount` and `exactChildren` are the
    /// level's real counts).
    private(set) var unitWeights = true
    private(set) var exactCount: UInt128 = 0
    private(set) var exactChildren: UInt128 = 0
    private(set) var distinct = 0

    init(slots: Int, deltas: DeltaRange, seed: UInt64) {
        self.slots = max(1, slots)
        self.deltas = deltas
        random = SplitMix64(seed: seed)
    }

    var isEmpty: Bool { distinct == 0 }
    var totalWeight: Double { strata.values.reduce(0) { $0 + $1.weight } }
    var totalChildren: Double { strata.values.reduce(0) { $0 + $1.weightedChildren } }

    /// The stratum of a parent with `children` children: ⌊2·log2(children)⌋.
    static func stratum(of children: UInt128) -> Int {
        Int((2 * log2(max(1, Double(children)))).rounded(.down))
    }

    func add(_ parent: [Int], weight: Double) throws {
        guard let tree = ChildTree(parent: parent, deltas: deltas) else {
            throw CoreError.failure("parent \(parent) has 2^128 children or more")
        }
        let unit = Unit(parent: parent, weight: weight, children: tree.count)
        if weight != 1 { unitWeights = false }
        exactCount += 1
        exactChildren &+= tree.count
        distinct += 1
        let key = Population.stratum(of: tree.count)
        let stratum = strata[key] ?? Stratum(slots: slots)
        strata[key] = stratum
        stratum.distinct += 1
        stratum.weight += weight
        stratum.weightedChildren += weight * Double(tree.count)
        if stratum.all != nil {
            if stratum.all!.count < slots { stratum.all!.append(unit) } else { stratum.all = nil }
        }
        // Each slot takes this unit with probability weight / (weight so far), independently.
        let p = weight / stratum.weight
        if p >= 1 {
            for j in 0..<slots { stratum.draws[j] = unit }
            return
        }
        let logQ = log1p(-p)
        var j = -1
        while true {
            let u = Double(random.next() >> 11 | 1) * 0x1p-53   // (0, 1)
            j += 1 + Int(min(Double(slots), (log(u) / logQ).rounded(.down)))
            if j >= slots { break }
            stratum.draws[j] = unit
        }
    }
}
