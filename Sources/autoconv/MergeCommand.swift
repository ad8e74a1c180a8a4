import ArgumentParser
import AutoconvCore
import AutoconvCertificates

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
        let shards = try ShardResults(files: files)
        let problem = shards.problem
        // The whole run's result, rebuilt from typed values in the unsharded run's key order.
        let whole = ShardedJob(job: try Job(problem: problem), shard: nil, total: shards.total)
        let seconds = shards.seconds
        let rate = Double(whole.total) / max(seconds, 1e-9)
        let backend = shards.backend, device = shards.device
        var fields = ResultFields.header(command: shards.command, problem: problem, backend: backend, device: device, compositions: String(whole.total))
            + whole.fields(version: shards.version, kernelHash: shards.kernelHash)

        if shards.command == "bound" {
            guard certificate == nil else { throw CoreError.badInput("--certificate needs prove results; bound writes no certificates") }
            let result = try shards.boundPartial()
            fields += BoundCommand.resultFields(result, problem: problem, partial: false, seconds: seconds, rate: rate)
            Terminal.out(json ? JSON.object(fields).rendered()
                : BoundCommand.text(result, problem: problem, backend: "\(backend): \(device)", sharded: whole, seconds: seconds, rate: rate))
            return
        }
        let target = try shards.target()
        let counts = shards.counts
        fields += ProveCommand.resultFields(counts, target: target, partial: false, seconds: seconds, rate: rate)
        if let certificate {
            _ = try CertificateMerger.merge(try shards.certificateFolders(), into: certificate)
            fields.append(("certificate", .string(certificate)))
        }
        let smallest = try shards.smallestSurvivors(target: target)
        if shards.show != nil { fields += ProveCommand.smallestFields(smallest) }
        Terminal.out(json ? JSON.object(fields).rendered()
            : ProveCommand.text(counts, problem: problem, target: target, backend: "\(backend): \(device)", sharded: whole,
                                seconds: seconds, rate: rate, smallest: smallest))
        if counts.survivors > 0 { throw NotProven() }
    }
}
