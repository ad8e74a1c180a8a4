/// The children of a parent composition in the cascade (method.md §5), as pure arithmetic.
///
/// A parent t has d parts summing to S at level n; its children have 2d parts summing to 2S at
/// level 2n, with pair sums
///
///     σ_i = u_{2i} + u_{2i+1} = 2t_i + Δ_{i+1} − Δ_i,   Δ_0 = Δ_d = 0,
///
/// for a pattern Δ_1 … Δ_{d−1} drawn from a `DeltaRange`. Patterns that make some σ_i negative
/// have no children.
///
/// **Child addressing.** The children of one parent are numbered 0 ..< `ChildTree.count` in
/// lexicographic order of the digit string (Δ_1, u_0, Δ_2, u_2, …, Δ_{d−1}, u_{2d−4}, u_{2d−2}):
/// pair i contributes first its right-hand Δ_{i+1} (none for the last pair, where Δ_d = 0), then
/// its split u_{2i} ∈ 0…σ_i (u_{2i+1} = σ_i − u_{2i} follows). It is a mixed radix whose radices
/// depend on the digits before them, so `ChildTree` keeps the completion counts
/// N_i(Δ) = number of ways to choose pairs i … d−1 given Δ_i; the block of a choice (Δ_{i+1}, v)
/// at pair i has N_{i+1}(Δ_{i+1}) children. Interleaving Δ with the splits (rather than
/// pattern-major order) makes the subtree below any prefix one contiguous index range, exactly
/// as a composition prefix is at level 0, so a search that cuts a prefix accounts one range and
/// a work-item rebuilds its child from one integer with `child(at:)`.
///
/// **Every child has one parent.** The child determines its pattern: its prefix sum at 2i is
/// 2·(t_0 + … + t_{i−1}) + Δ_i, so Δ_i is that prefix sum's parity when Δ ∈ {0,1} (see
/// `ChildTree.parent(of:)`). Distinct parents therefore have disjoint children, and distinct
/// patterns of one parent give distinct children.
public enum Children {
    /// The closed-form Lemma-2 rounding (method.md §3): heights in grid units x_i = numerators[i]
    /// / denominator (so the heights are x_i/m), with prefix sums X_k, round to U_k = ⌊X_k⌋,
    /// u_k = U_{k+1} − U_k. The numerators must be ≥ 0 and sum to a multiple of `denominator`.
    public static func lemma2Rounding(numerators: [Int], denominator: Int) -> [Int] {
        precondition(denominator > 0)
        var rounded: [Int] = []
        rounded.reserveCapacity(numerators.count)
        var prefix = 0, previous = 0
        for x in numerators {
            precondition(x >= 0)
            prefix += x
            let floor = prefix / denominator   // prefix ≥ 0, so division is ⌊·⌋
            rounded.append(floor - previous)
            previous = floor
        }
        return rounded
    }

    /// The pair sums σ_i of `parent`'s child family for pattern Δ_1 … Δ_{d−1}
    /// (`pattern.count == parent.count − 1`), or nil if one is negative.
    public static func pairSums(parent t: [Int], pattern: [Int]) -> [Int]? {
        precondition(pattern.count == t.count - 1)
        var sums: [Int] = []
        for i in t.indices {
            let left = i == 0 ? 0 : pattern[i - 1]
            let right = i == t.count - 1 ? 0 : pattern[i]
            let sigma = 2 * t[i] + right - left
            if sigma < 0 { return nil }
            sums.append(sigma)
        }
        return sums
    }

    /// Reversal c ↦ (c_{d−1}, …, c_0).
    public static func reversed(_ c: [Int]) -> [Int] { Array(c.reversed()) }
}

/// The Δ values a child family draws from (method.md §5).
public struct DeltaRange: Hashable, Sendable {
    public let low: Int
    public let high: Int

    public init(low: Int, high: Int) {
        precondition(low <= high)
        self.low = low
        self.high = high
    }

    /// Δ_i ∈ {0, 1}: the fine rounding of every function rounding to the parent (sound).
    public static let relaxed = DeltaRange(low: 0, high: 1)
    /// Δ_i ∈ {0, −1}: the children of reverse(t), reversed; pairs with canonical survivors.
    public static let mirrored = DeltaRange(low: -1, high: 0)
    /// Δ ≡ 0: exact pair sums 2t_i, as earlier work did. Not a cover: unsound (method.md §6).
    public static let exact = DeltaRange(low: 0, high: 0)

    public var values: ClosedRange<Int> { low...high }
    public var width: Int { high - low + 1 }
}

/// Which children the cascade generates; the user-facing choice.
public enum ChildFamily: String, CaseIterable, Sendable {
    /// Δ ∈ {0, 1} with oriented survivors: a proof.
    case relaxed
    /// Δ ≡ 0: reproduces earlier (unsound) work; never a proof.
    case exact

    public var deltas: DeltaRange { self == .relaxed ? .relaxed : .exact }
    public var isSound: Bool { self == .relaxed }
}

/// The children of one parent, with the counts behind their addressing (see `Children`).
public struct ChildTree: Sendable {
    public let parent: [Int]
    public let deltas: DeltaRange
    /// completions[i·width + (Δ − low)] = N_i(Δ): the ways to choose pairs i … d−1 given
    /// Δ_i = Δ; N_d(0) = 1 and N_d(Δ ≠ 0) = 0 because Δ_d = 0.
    public let completions: [UInt128]

    /// Fails (nil) when a count reaches 2^128; counts below that are exact.
    public init?(parent: [Int], deltas: DeltaRange) {
        self.parent = parent
        self.deltas = deltas
        let d = parent.count, width = deltas.width
        var table = [UInt128](repeating: 0, count: (d + 1) * width)
        table[d * width + (0 - deltas.low)] = 1
        for i in stride(from: d - 1, through: 0, by: -1) {
            for left in deltas.values {
                var total: UInt128 = 0
                for right in deltas.values where i < d - 1 || right == 0 {
                    let sigma = 2 * parent[i] + right - left
                    guard sigma >= 0 else { continue }
                    let (block, o1) = UInt128(sigma + 1).multipliedReportingOverflow(by: table[(i + 1) * width + (right - deltas.low)])
                    let (sum, o2) = total.addingReportingOverflow(block)
                    if o1 || o2 { return nil }
                    total = sum
                }
                table[i * width + (left - deltas.low)] = total
            }
        }
        completions = table
    }

    /// N_i(Δ) (see `completions`); zero for Δ outside the range.
    @inline(__always)
    public func completions(from i: Int, delta: Int) -> UInt128 {
        guard deltas.values.contains(delta) else { return 0 }
        return completions[i * deltas.width + (delta - deltas.low)]
    }

    /// Number of children, N_0(0).
    public var count: UInt128 { completions(from: 0, delta: 0) }

    /// Number of patterns with no negative pair sum (each has at least one child).
    public var patternCount: UInt128 {
        // The same recursion with every split counted once.
        let d = parent.count
        var ways = [UInt128](repeating: 0, count: deltas.width)
        ways[0 - deltas.low] = 1
        for i in stride(from: d - 1, through: 0, by: -1) {
            var next = [UInt128](repeating: 0, count: deltas.width)
            for left in deltas.values {
                for right in deltas.values where (i < d - 1 || right == 0) && 2 * parent[i] + right - left >= 0 {
                    next[left - deltas.low] += ways[right - deltas.low]
                }
            }
            ways = next
        }
        return ways[0 - deltas.low]
    }

    /// The child at `index` and its pattern Δ_1 … Δ_{d−1}, or nil if `index ≥ count`.
    public func child(at index: UInt128) -> (child: [Int], pattern: [Int])? {
        guard index < count else { return nil }
        let d = parent.count
        var r = index
        var child = [Int](repeating: 0, count: 2 * d)
        var pattern: [Int] = []
        var left = 0
        for i in 0..<d {
            for right in deltas.values where i < d - 1 || right == 0 {
                let sigma = 2 * parent[i] + right - left
                guard sigma >= 0 else { continue }
                let below = completions(from: i + 1, delta: right)
                let block = UInt128(sigma + 1) * below
                if r >= block { r -= block; continue }
                let v = Int(r / below)
                r %= below
                child[2 * i] = v
                child[2 * i + 1] = sigma - v
                if i < d - 1 { pattern.append(right) }
                left = right
                break
            }
        }
        return (child, pattern)
    }

    /// The index of `child` among this parent's children, or nil if it is not one of them.
    public func index(of child: [Int]) -> UInt128? {
        guard let pattern = ChildTree.pattern(of: child, parent: parent, deltas: deltas) else { return nil }
        let d = parent.count
        var index: UInt128 = 0
        var left = 0
        for i in 0..<d {
            let chosen = i < d - 1 ? pattern[i] : 0
            for right in deltas.values where (i < d - 1 || right == 0) && right < chosen {
                let sigma = 2 * parent[i] + right - left
                if sigma >= 0 { index += UInt128(sigma + 1) * completions(from: i + 1, delta: right) }
            }
            index += UInt128(child[2 * i]) * completions(from: i + 1, delta: chosen)
            left = chosen
        }
        return index
    }

    /// The pattern that makes `child` a child of `parent` in the family `deltas`, or nil.
    public static func pattern(of child: [Int], parent: [Int], deltas: DeltaRange) -> [Int]? {
        let d = parent.count
        guard child.count == 2 * d, child.allSatisfy({ $0 >= 0 }) else { return nil }
        var pattern: [Int] = []
        var left = 0
        for i in 0..<d {
            // σ_i = 2t_i + Δ_{i+1} − Δ_i fixes Δ_{i+1}.
            let right = child[2 * i] + child[2 * i + 1] - 2 * parent[i] + left
            guard deltas.values.contains(right) else { return nil }
            if i == d - 1 { return right == 0 ? pattern : nil }
            pattern.append(right)
            left = right
        }
        return pattern
    }

    /// The unique parent of a child of the relaxed or exact family and its pattern: Δ_i is the
    /// parity of the child's prefix sum at 2i (see `Children`). Nil if `child` (which must have
    /// an even number of parts) is no such child of any composition.
    public static func parent(of child: [Int]) -> (parent: [Int], pattern: [Int])? {
        guard child.count >= 2, child.count % 2 == 0 else { return nil }
        let d = child.count / 2
        var parent: [Int] = [], pattern: [Int] = []
        var prefix = 0, left = 0
        for i in 0..<d {
            prefix += child[2 * i] + child[2 * i + 1]
            let right = i == d - 1 ? 0 : prefix & 1
            if i == d - 1 && prefix & 1 != 0 { return nil }
            let doubled = child[2 * i] + child[2 * i + 1] - right + left
            guard doubled >= 0, doubled % 2 == 0 else { return nil }
            parent.append(doubled / 2)
            if i < d - 1 { pattern.append(right) }
            left = right
        }
        return (parent, pattern)
    }
}

extension Range where Bound == UInt128 {
    /// At most `pieces` contiguous, non-empty, near-equal ranges, in order. Boundary r is
    /// lower + q·r + min(r, rest) with (q, rest) = count ÷ pieces, which cannot overflow.
    public func split(into pieces: Int) -> [Range<UInt128>] {
        let count = upperBound - lowerBound, parts = UInt128(Swift.max(1, pieces))
        let (q, rest) = count.quotientAndRemainder(dividingBy: parts)
        return (0..<parts).compactMap { r in
            let lo = lowerBound + q * r + Swift.min(r, rest), hi = lowerBound + q * (r + 1) + Swift.min(r + 1, rest)
            return lo < hi ? lo..<hi : nil
        }
    }
}
