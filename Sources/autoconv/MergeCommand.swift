import ArgumentParser
import AutoconvCore
import AutoconvVerify

struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Join shard results (the --json output of bound or prove with --shard) into what the unsharded run prints.",
        discussion: """
            The files may come from different shard counts (3/8 beside 6/16 and 7/16) as long as their ranges tile \
            the whole space. Refuses, with exit 2, a missing, duplicated or overlapping shard, and shards of \
            different parameters, targets, binary versions or kernels, and any file that is not a complete, \
            consistent result. Only a merge of the whole space states a bound or a verdict; like prove, a merged \
            prove result exits 1 when survivors remain, in text and JSON alike.
            """)

    @Argument(help: "Shard result files.")
    var files: [String]

    @Flag(help: "Print one JSON object on stdout, with the keys of the unsharded run.")
    var json = false

    @Option(help: "Also join the shards' certificates (prove --certificate) into this folder.")
    var certificate: String?

    func run() throws {
        guard !files.isEmpty else { throw CoreError.badInput("no shard result files given") }
        let results = try files.map(ResultFile.read)
        let first = results[0]
        for result in results.dropFirst() {
            for ((key, a), (_, b)) in zip(first.agreeing, result.agreeing) where a != b {
                throw CoreError.badInput("\(result.path) has \(key) = \(b) but \(first.path) has \(key) = \(a): shards of different runs cannot be merged")
            }
        }
        let problem = try first.problem()
        for result in results { try result.checkRange() }
        let shards = try ShardTiling.ordered(results, total: first.totalCompositions, range: \.range, name: \.path)

        // The whole run's result, rebuilt from typed values in the unsharded run's key order.
        let whole = ShardedJob(job: try Job(problem: problem), shard: nil, total: first.totalCompositions)
        let seconds = shards.reduce(0) { $0 + $1.elapsedSeconds }
        let rate = Double(whole.total) / max(seconds, 1e-9)
        let backend = ShardTiling.joined(shards.map(\.backend)), device = ShardTiling.joined(shards.map(\.device))
        var fields = ResultFields.header(command: first.command, problem: problem, backend: backend, device: device, compositions: String(whole.total))
            + whole.fields(version: first.version, kernelHash: first.kernelHash)

        if first.command == "bound" {
            guard certificate == nil else { throw CoreError.badInput("--certificate needs prove results; bound writes no certificates") }
            var result = BoundPartial()
            for shard in shards { result.merge(try shard.boundPartial(problem)) }
            fields += BoundCommand.resultFields(result, problem: problem, partial: false, seconds: seconds, rate: rate)
            Terminal.out(json ? JSON.object(fields).rendered()
                : BoundCommand.text(result, problem: problem, backend: "\(backend): \(device)", sharded: whole, seconds: seconds, rate: rate))
            return
        }
        let target = try first.targetValue()
        var counts = ProveCounts()
        for shard in shards { counts.merge(shard.counts ?? ProveCounts()) }
        fields += ProveCommand.resultFields(counts, target: target, partial: false, seconds: seconds, rate: rate)
        if let certificate {
            let folders = try shards.map { shard in
                guard let folder = shard.certificate else {
                    throw CoreError.badInput("\(shard.path): no certificate (run prove with --certificate DIR)")
                }
                return folder
            }
            _ = try CertificateMerger.merge(folders, into: certificate)
            fields.append(("certificate", .string(certificate)))
        }
        // Every shard listed its own K smallest, so their union holds the overall K smallest;
        // adding them in rank order reproduces the tie-break.
        let cutoffs = ProveCutoffs(problem: problem, target: target)
        var smallest = SmallestSurvivors(limit: max(0, first.show ?? 0), evaluator: Evaluator(problem: problem))
        smallest.add(try shards.flatMap { try $0.survivors(problem, cutoffs: cutoffs) }.sorted { $0.rank < $1.rank })
        if first.show != nil { fields += ProveCommand.smallestFields(smallest) }
        Terminal.out(json ? JSON.object(fields).rendered()
            : ProveCommand.text(counts, problem: problem, target: target, backend: "\(backend): \(device)", sharded: whole,
                                seconds: seconds, rate: rate, smallest: smallest))
        if counts.survivors > 0 { throw NotProven() }
    }
}
