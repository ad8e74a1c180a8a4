/// Shard r of M: the r-th of M contiguous pieces of a rank space of N ranks,
/// [⌊N·r/M⌋, ⌊N·(r+1)/M⌋) — `RankRange.piece(r, of: M)`, the boundaries of every split.
///
/// **Nesting law.** ⌊N·2r/2M⌋ = ⌊N·r/M⌋, so shard (r, M) is exactly the union of shards (2r, 2M)
/// and (2r+1, 2M): a slow shard can be split in two without redoing the rest, and results of
/// different M merge as long as their ranges tile the space. When M > N some shards are empty.
public struct Shard: Hashable, Sendable, CustomStringConvertible {
    public let index: Int
    public let count: Int

    /// `count` ≥ 1 and 0 ≤ `index` < `count`, else a one-line `badInput`.
    public init(index: Int, count: Int) throws {
        guard count >= 1 else { throw CoreError.badInput("shard count must be at least 1 (got \(count))") }
        guard index >= 0, index < count else {
            throw CoreError.badInput("shard index must lie in 0…\(count - 1) for \(count) shards (got \(index))")
        }
        self.index = index
        self.count = count
    }

    /// Parses `r/M`, e.g. `3/8`.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let r = Int(parts[0]), let m = Int(parts[1]) else {
            throw CoreError.badInput("shard '\(text)' is not of the form r/M (e.g. 3/8 for the fourth of eight shards)")
        }
        try self.init(index: r, count: m)
    }

    public var description: String { "\(index)/\(count)" }

    /// This shard's piece of `space`.
    public func range(of space: RankRange) -> RankRange { space.piece(index, of: count) }
}
