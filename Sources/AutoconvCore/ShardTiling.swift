/// Pieces of work (shard result files, certificate ranges) that must cover the rank space
/// [0, total) exactly once before their results may be joined into a statement about the whole.
///
/// This is the check that stands between partial results and a bound: a missing, duplicated or
/// overlapping piece is refused with one line naming it (`badInput`), never joined.
public enum ShardTiling {
    /// `pieces` in rank order, once it is checked that each starts where the one before it
    /// ended, the first at 0 and the last ending at `total`. Empty pieces (a shard of a space
    /// smaller than its shard count) fit anywhere their boundary lies.
    public static func ordered<Piece>(_ pieces: [Piece], total: UInt64,
                                      range: (Piece) -> RankRange, name: (Piece) -> String) throws -> [Piece] {
        let sorted = pieces.sorted { (range($0).lower, range($0).upper) < (range($1).lower, range($1).upper) }
        var next: UInt64 = 0
        var previous: Piece?
        for piece in sorted {
            let here = range(piece)
            guard here.upper <= total else {
                throw CoreError.badInput("\(name(piece)) covers ranks \(here), past the \(total) compositions")
            }
            if let previous {
                let there = range(previous)
                if here == there {
                    throw CoreError.badInput("\(name(piece)) duplicates \(name(previous)): both cover ranks \(here)")
                }
                if here.lower < next {
                    throw CoreError.badInput("\(name(piece)) (ranks \(here)) overlaps \(name(previous)) (ranks \(there))")
                }
            }
            if here.lower > next { throw missing(next, here.lower, total) }
            next = here.upper
            previous = piece
        }
        guard next == total else { throw missing(next, total, total) }
        return sorted
    }

    /// Where pieces ran (backends, devices): the distinct values in order of first appearance,
    /// joined with "; ".
    public static func joined(_ values: [String]) -> String {
        var seen: [String] = []
        for v in values where !seen.contains(v) { seen.append(v) }
        return seen.joined(separator: "; ")
    }

    private static func missing(_ lower: UInt64, _ upper: UInt64, _ total: UInt64) -> CoreError {
        .badInput("missing shard: nothing covers ranks [\(lower), \(upper)) of \(total)")
    }
}
