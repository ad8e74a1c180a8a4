import ArgumentParser
import AutoconvCore
import AutoconvCertificates
import AutoconvCheck
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Re-check a prove certificate or a cascade run independently on the CPU; the last line is the verdict (VERIFIED: C >= t, SPOT-CHECKED, NOT PROVEN or NOT VERIFIED).",
        discussion: """
            The checker shares no code with the engines: it re-enumerates every composition of each range one \
            by one and classifies it straight from the method's rules. A cascade run directory (one with a \
            state file) is checked level by level: level 0 against all compositions, each further level against \
            the plain relaxed children of the level before; checks too large to be exhaustive are sampled \
            (SPOT-CHECKED). A certificate ends `VERIFIED: C >= t` only when every range was re-enumerated and \
            nothing survives, `SPOT-CHECKED: …` when ranges were sampled (--sample), `NOT PROVEN: …` when it is \
            consistent but survivors remain, `NOT VERIFIED: reason` otherwise. Exit 0 when verified or \
            spot-checked, 1 when not.

            A cascade run can be checked in parts, e.g. as a Slurm array: `verify RUN --shard r/M` (or auto) \
            re-derives part r of every level and records it in RUN/verify/part-r-of-M (`PART r/M CHECKED`, \
            no verdict); `verify RUN --merge` joins all M parts into the verdict.
            """)

    @Argument(help: "The certificate folder (from prove --certificate or merge --certificate), or a cascade run directory.")
    var certificate: String

    @Option(help: "Certificate: re-enumerate only K ranges chosen at random. Cascade: the size of each random sample where a check is too large to be exhaustive (default 1000).")
    var sample: Int?

    @Option(help: ArgumentHelp("Cascade run: check only part r of M of every level (e.g. 2/8), or 'auto': the Slurm array task; the part is recorded in --parts.",
                               discussion: "Cheap checks (files, ledgers, coverage, certificate) are done whole by every part; the re-derivation of ranks, parents and records is split. A part states no verdict."),
            transform: { try ShardRequest(parsing: $0) })
    var shard: ShardRequest?

    @Flag(help: "Cascade run: join the parts recorded by --shard into the run's verdict.")
    var merge = false

    @Option(help: "Folder of the parts of --shard and --merge (default: RUN/verify).")
    var parts: String?

    @OptionGroup var output: OutputOptions

    /// One JSON object on stdout; the log goes to stderr.
    var json: Bool { output.json }

    @Option(help: "Seed for --sample (default: random, and printed so that the check can be repeated).")
    var seed: UInt64?

    func run() throws {
        if let sample, sample < 1 { throw CoreError.badInput("sample must be at least 1 (got \(sample))") }
        var info = stat()
        guard stat(certificate, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
            throw CoreError.badInput("'\(certificate)' is not a folder: give a certificate folder or a cascade run directory")
        }
        let cascade = CascadeVerifier.isRunDirectory(certificate)
        guard cascade || (shard == nil && !merge && parts == nil) else {
            throw CoreError.badInput("--shard, --merge and --parts check cascade run directories in parts; '\(certificate)' is a prove certificate (merge its shards with autoconv merge)")
        }
        guard shard == nil || !merge else { throw CoreError.badInput("give --shard (check one part) or --merge (join the parts), not both") }
        if merge { return try mergeParts() }
        if cascade { return try verifyCascade() }
        try verifyCertificate()
    }

    /// A prove certificate: everything inside the folder, unreadable files included, is the
    /// verdict's to judge (NOT VERIFIED, exit 1), never bad input.
    private func verifyCertificate() throws {
        let seed = seed ?? UInt64.random(in: 0...UInt64.max)
        var progress: ProgressReporter?
        let report = Verifier(directory: certificate).verify(
            sample: sample, seed: seed,
            log: { json ? Terminal.err($0) : Terminal.out($0) },
            progress: { done, total in
                if progress == nil { progress = ProgressReporter(total: total, label: "verify") }
                progress?.update(done)
            })
        progress?.finish()
        Terminal.out(json ? Self.json(report, seed: seed).rendered() : report.verdict.line)
        if !report.verdict.succeeded { throw NotVerified() }
    }

    /// `verify CERT --json`: the verdict, how much was checked, and the certificate's counts
    /// (null where the manifest could not be read or checked that far).
    private static func json(_ report: Verifier.Report, seed: UInt64) -> JSON {
        let m = report.manifest
        return .object([
            ("schema_version", .int(JSON.schemaVersion)), ("command", .string("verify")),
            ("kind", .string("certificate")), ("outcome", .string(report.verdict.name)), ("message", .string(report.verdict.line)),
            ("exhaustive", .bool(report.exhaustive)),
            ("n", m.map { .int(Int64($0.n)) } ?? .null), ("m", m.map { .int(Int64($0.m)) } ?? .null),
            ("target", m.map { .string($0.target) } ?? .null), ("rule", m.map { .string($0.rule) } ?? .null),
            ("max_window", m.map { .string($0.maxWindow) } ?? .null),
            ("total_compositions", report.totalCompositions.map(JSON.count) ?? .null),
            ("asym_pruned", m.map { .count($0.asymPruned) } ?? .null), ("test_pruned", m.map { .count($0.testPruned) } ?? .null),
            ("survivors", m.map { .count($0.survivors) } ?? .null),
            ("canonical_survivors", m.map { .count($0.canonicalSurvivors) } ?? .null),
            ("ranges_checked", .count(report.rangesChecked)), ("ranges_total", .count(report.rangesTotal)),
            ("compositions_checked", .count(report.compositionsChecked)), ("seed", .count(seed)),
        ])
    }

    /// The cascade half: text or JSON, ending in the `CheckVerdict` line; exit 0 only for
    /// VERIFIED and SPOT-CHECKED.
    private func verifyCascade() throws {
        let part = try shard?.resolved()
        // The parts of one check must share their seed: a part without --seed takes 0.
        let seed = seed ?? (part == nil ? UInt64.random(in: 0...UInt64.max) : 0)
        let report = CascadeVerifier(directory: certificate).verify(
            sample: sample ?? 1000, seed: seed, part: part, log: { json ? Terminal.err($0) : Terminal.out($0) })
        let verdict = report.verdict
        if let part {
            let folder = parts ?? CascadeVerifyParts.defaultFolder(of: certificate)
            try CascadeVerifyParts.write(report, part: part, seed: seed, sample: sample ?? 1000, run: certificate, folder: folder)
            Terminal.err("verify: part \(part) recorded in \(folder); join the parts with autoconv verify \(certificate) --merge")
        }
        if json {
            let levels: [JSON] = report.levels.map { level in
                .object([("level", .int(Int64(level.level))), ("d", .int(Int64(level.d))), ("records", .count(level.records)),
                         ("space", .count(level.space)), ("space_checked", .count(level.spaceChecked)),
                         ("records_classified", .count(level.recordsClassified)), ("children_classified", .count(level.childrenClassified)),
                         ("parents_sampled", .count(level.parentsSampled)), ("ledger_entries", .count(level.ledgerEntries)), ("shards", .int(Int64(level.shards))),
                         ("exhaustive", .bool(level.exhaustive)), ("sampling", .array(level.sampling.map { .string($0) }))])
            }
            Terminal.out(JSON.object([
                ("schema_version", .int(JSON.schemaVersion)), ("command", .string("verify")),
                ("kind", .string("cascade")), ("outcome", .string(verdict.name)), ("message", .string(verdict.line)),
                ("exhaustive", .bool(report.exhaustive)),
                ("n0", .int(Int64(report.n0))), ("m", .int(Int64(report.m))), ("target", .string(report.target)),
                ("rule", .string(report.rule)), ("max_window", .string(report.maxWindow)), ("children", .string(report.family)),
                ("kernel_hash", .string(report.kernelHash)), ("seed", .count(seed)), ("levels", .array(levels)),
            ]).rendered())
        } else {
            Terminal.out(verdict.line)
        }
        if !verdict.succeeded { throw NotVerified() }
    }

    /// `--merge`: the verdict of the parts that `--shard` recorded.
    private func mergeParts() throws {
        guard shard == nil, sample == nil, seed == nil else { throw CoreError.badInput("--merge takes the parts' own --sample and --seed: drop them") }
        let folder = parts ?? CascadeVerifyParts.defaultFolder(of: certificate)
        let verdict = CascadeVerifyParts.merge(run: certificate, folder: folder, log: { json ? Terminal.err($0) : Terminal.out($0) })
        if json {
            Terminal.out(JSON.object([("schema_version", .int(JSON.schemaVersion)), ("command", .string("verify")),
                                      ("kind", .string("cascade-parts")), ("outcome", .string(verdict.name)),
                                      ("message", .string(verdict.line)), ("parts", .string(folder))]).rendered())
        } else {
            Terminal.out(verdict.line)
        }
        if !verdict.succeeded { throw NotVerified() }
    }
}
