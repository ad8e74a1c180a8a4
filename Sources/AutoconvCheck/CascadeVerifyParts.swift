#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import AutoconvCore

/// A check of a cascade run spread over processes or cluster nodes: `verify RUN --shard r/M`
/// checks part r (`CascadeVerifier.verify(part:)`) and records what it found in
/// `PARTS/part-r-of-M` (sealed; PARTS is RUN/verify unless given), and `verify RUN --merge` joins
/// the M parts into the run's verdict:
///
///     autoconv-verify-part 1
///     certificate HEX      SHA-256 of the run's `certificate`: the part checked this very result
///     part r M
///     seed S
///     sample K
///     result passed|failed
///     sampled TEXT         what the part only sampled (empty when exhaustive)
///     reason TEXT          why it failed (empty when it passed)
///
/// The merge re-reads the run's state and checks its certificate (every result file's SHA-256),
/// then requires all M parts, of one split, seed and sample, made for that certificate, each
/// passed: then the verdict is the whole check's (VERIFIED only when no part sampled anything);
/// a failed part makes it NOT VERIFIED, naming the part.
public enum CascadeVerifyParts {
    static let header = "autoconv-verify-part 1"

    public static func defaultFolder(of run: String) -> String { run + "/verify" }

    static func name(_ part: Shard) -> String { "part-\(part.index)-of-\(part.count)" }

    /// Writes part `part`'s record of `report` into `folder` (created if missing).
    public static func write(_ report: CascadeVerifier.Report, part: Shard, seed: UInt64, sample: Int,
                             run: String, folder: String) throws {
        let certificate = (try? RegularFile.read(run + "/certificate")).map { SHA256.hex($0) } ?? "none"
        let (result, sampled, reason): (String, String, String)
        switch report.verdict {
        case .partChecked(_, let what): (result, sampled, reason) = ("passed", what, "")
        case .notVerified(let why): (result, sampled, reason) = ("failed", "", why)
        default: preconditionFailure("a part ends in partChecked or notVerified")
        }
        let lines = [header, "certificate \(certificate)", "part \(part.index) \(part.count)", "seed \(seed)", "sample \(sample)",
                     "result \(result)", "sampled \(oneLine(sampled))", "reason \(oneLine(reason))"]
        guard mkdir(folder, 0o755) == 0 || errno == EEXIST else {
            throw CoreError.badInput("cannot create '\(folder)': \(String(cString: strerror(errno)))")
        }
        let path = "\(folder)/\(name(part))", temporary = path + ".tmp"
        let bytes = Array(SealedText.seal(lines.joined(separator: "\n") + "\n").utf8)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw CoreError.badInput("cannot write '\(temporary)': \(String(cString: strerror(errno)))") }
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) } == bytes.count && fsync(fd) == 0
        close(fd)
        guard written, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw CoreError.failure("cannot write '\(path)': \(String(cString: strerror(errno)))")
        }
    }

    /// The run's verdict from its parts in `folder`. Every defect ends in the verdict.
    public static func merge(run: String, folder: String, log: (String) -> Void = { _ in }) -> CheckVerdict {
        do {
            return try join(run: run, folder: folder, log: log)
        } catch let rejection as Verifier.Rejection {
            return .notVerified(reason: rejection.reason)
        } catch {
            return .notVerified(reason: "\(error)")
        }
    }

    private static func join(run: String, folder: String, log: (String) -> Void) throws -> CheckVerdict {
        let files = try CascadeRunFiles.read(directory: run)
        guard files.outcome != "running" else {
            throw Verifier.Rejection(reason: "the run is unfinished (level \(files.level) at position \(files.position)), so it proves nothing yet")
        }
        _ = try CascadeCertificateFile.check(directory: run, files: files)
        let certificate = SHA256.hex(try RegularFile.read(run + "/certificate"))
        let names = CascadeShardRecords.entries(of: folder).filter { $0.hasPrefix("part-") && !$0.hasSuffix(".tmp") }.sorted()
        let counts = Set(names.compactMap { $0.split(separator: "-").last.flatMap { Int($0) } })
        guard counts.count == 1, let count = counts.first, count >= 1 else {
            throw Verifier.Rejection(reason: counts.isEmpty ? "'\(folder)' holds no parts (run verify \(run) --shard r/M for every r first)"
                                                            : "'\(folder)' holds parts of different splits (M = \(counts.sorted().map(String.init).joined(separator: ", ")))")
        }
        var settings: (seed: String, sample: String)?
        var sampled: [String] = []
        for index in 0..<count {
            let part = try Shard(index: index, count: count)
            let path = "\(folder)/\(name(part))"
            guard RegularFile.exists(path) else {
                throw Verifier.Rejection(reason: "part \(part) is missing ('\(path)'): run verify \(run) --shard \(part)")
            }
            guard let body = SealedText.unseal(try RegularFile.read(path)), body.hasPrefix(header + "\n") else {
                throw Verifier.Rejection(reason: "'\(path)' is damaged or was edited: its sha256 line is missing or does not match")
            }
            var values: [String: String] = [:]
            for line in body.split(separator: "\n").dropFirst() {
                let parts = line.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false)
                values[String(parts[0])] = parts.count == 2 ? String(parts[1]) : ""
            }
            guard values["part"] == "\(index) \(count)", let seed = values["seed"], let sample = values["sample"] else {
                throw Verifier.Rejection(reason: "'\(path)' is not part \(part)")
            }
            guard values["certificate"] == certificate else {
                throw Verifier.Rejection(reason: "'\(path)' checked another result than the run's certificate now names (made before the run changed?)")
            }
            if let settings, settings != (seed, sample) {
                throw Verifier.Rejection(reason: "'\(path)' used seed \(seed) and sample \(sample), not \(settings.seed) and \(settings.sample) as the parts before it")
            }
            settings = (seed, sample)
            switch values["result"] {
            case "passed":
                if let what = values["sampled"], !what.isEmpty { sampled.append("part \(part): \(what)") }
            case "failed":
                throw Verifier.Rejection(reason: "part \(part): \(values["reason"] ?? "failed")")
            default:
                throw Verifier.Rejection(reason: "'\(path)' has no result")
            }
        }
        log("\(count) parts, seed \(settings!.seed), every one passed" + (sampled.isEmpty ? " exhaustively" : "; sampled: " + sampled.joined(separator: "; ")))
        return try CascadeVerifier.verdict(files, sampled: sampled.isEmpty ? "" : sampled.joined(separator: "; ") + " (seed \(settings!.seed))", log: log)
    }

    private static func oneLine(_ text: String) -> String { text.split(separator: "\n").joined(separator: " ") }
}
