import AutoconvCore

/// The shard result files of one run (the `--json` output of `bound` or `prove --shard`), read,
/// checked against each other and ordered so that they tile the whole rank space: what `merge`
/// turns into the unsharded run's result. Nothing here states a bound; the caller prints one
/// only from `boundPartial()` / `counts` of a complete tiling, which is all this type holds.
public struct ShardResults {
    /// In rank order, tiling [0, total) exactly (`ShardTiling`).
    let shards: [ResultFile]
    public let problem: Problem
    /// `bound` or `prove`.
    public let command: String
    public let total: UInt64
    public let version: String, kernelHash: String
    /// Where the shards ran, each distinct value once (`ShardTiling.joined`).
    public let backend: String, device: String
    /// Summed over shards.
    public let seconds: Double

    /// Refuses (`badInput`, one line naming the file) a file that does not decode or is not
    /// consistent in itself, files of different runs, and a set that misses, duplicates or
    /// overlaps a piece of the space.
    public init(files: [String]) throws {
        guard !files.isEmpty else { throw CoreError.badInput("no shard result files given") }
        let results = try files.map(ResultFile.read)
        let first = results[0]
        for result in results.dropFirst() {
            for ((key, a), (_, b)) in zip(first.agreeing, result.agreeing) where a != b {
                throw CoreError.badInput("\(result.path) has \(key) = \(b) but \(first.path) has \(key) = \(a): shards of different runs cannot be merged")
            }
        }
        problem = try first.problem()
        for result in results { try result.checkRange() }
        shards = try ShardTiling.ordered(results, total: first.totalCompositions, range: \.range, name: \.path)
        command = first.command
        total = first.totalCompositions
        version = first.version
        kernelHash = first.kernelHash
        backend = ShardTiling.joined(shards.map(\.backend))
        device = ShardTiling.joined(shards.map(\.device))
        seconds = shards.reduce(0) { $0 + $1.elapsedSeconds }
    }

    /// bound: the minima of the whole space, each checked against its composition.
    public func boundPartial() throws -> BoundPartial {
        var result = BoundPartial()
        for shard in shards { result.merge(try shard.boundPartial(problem)) }
        return result
    }

    /// prove: the target every shard shares.
    public func target() throws -> Fraction { try shards[0].targetValue() }

    /// prove: the counts of the whole space.
    public var counts: ProveCounts {
        var counts = ProveCounts()
        for shard in shards { counts.merge(shard.counts ?? ProveCounts()) }
        return counts
    }

    /// prove: the `--show K` the shards ran with, if any.
    public var show: Int? { shards[0].show }

    /// prove: the certificate folder of every shard, in rank order; one without is refused.
    public func certificateFolders() throws -> [String] {
        try shards.map { shard in
            guard let folder = shard.certificate else {
                throw CoreError.badInput("\(shard.path): no certificate (run prove with --certificate DIR)")
            }
            return folder
        }
    }

    /// prove: the K survivors with the smallest test values over the whole space. Every shard
    /// listed its own K smallest, so their union holds the overall K smallest; adding them in
    /// rank order reproduces the unsharded tie-break.
    public func smallestSurvivors(target: Fraction) throws -> SmallestSurvivors {
        let cutoffs = ProveCutoffs(problem: problem, target: target)
        var smallest = SmallestSurvivors(limit: max(0, show ?? 0), evaluator: Evaluator(problem: problem))
        smallest.add(try shards.flatMap { try $0.survivors(problem, cutoffs: cutoffs) }.sorted { $0.rank < $1.rank })
        return smallest
    }
}
