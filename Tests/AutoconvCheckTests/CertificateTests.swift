import AutoconvCore
import AutoconvCPU
import Foundation
import Testing
import TestSupport
@testable import AutoconvCertificates
@testable import AutoconvCheck

/// `verify` accepts what `prove --certificate` writes and rejects every kind of tampering.
@Suite struct CertificateTests {
    /// n = 2, m = 6, target 1, refined, windows ℓ ≤ d: 20,825 compositions, some survivors.
    static let problem = try! Problem(n: 2, m: 6, rule: .refined, windows: .d)
    static let target = Fraction(1)

    /// A fresh certificate of `problem` over `ranges` ranges, in a new temporary folder.
    static func certificate(ranges: Int = 12, problem: Problem = problem, target: Fraction = target) throws -> String {
        let folder = try CLIRunner.temporaryFolder().path
        let job = try Job(problem: problem)
        let writer = try CertificateWriter(
            directory: folder, problem: problem, target: target, totalCompositions: job.range.count,
            provenance: .init(version: "test", kernelHash: "none", backend: "cpu", device: "test"), ranges: ranges)
        _ = try writer.prove(job, backend: CPUEngine(threads: 2), cutoffs: ProveCutoffs(problem: problem, target: target),
                             survivors: nil, progress: nil)
        return folder
    }

    /// The verdict of `verify`.
    static func verdict(_ folder: String, sample: Int? = nil, seed: UInt64 = 7) -> CheckVerdict {
        Verifier(directory: folder).verify(sample: sample, seed: seed).verdict
    }

    /// The reason `verify` gives for NOT VERIFIED, or nil when the certificate is consistent.
    static func rejection(_ folder: String, sample: Int? = nil) -> String? {
        if case .notVerified(let reason) = verdict(folder, sample: sample) { return reason }
        return nil
    }

    /// Removes every survivor from the certificate and redoes every digest and count to
    /// match, so that it claims a proof; only re-enumerating a forged range can notice.
    /// Returns the indices of the forged ranges.
    static func forgeProof(_ folder: String) throws -> [Int] {
        let forged = try CertificateManifest.read(directory: folder).ranges.indices.filter {
            try CertificateManifest.read(directory: folder).ranges[$0].survivors > 0
        }
        for index in forged { try rewriteSurvivors(folder, range: index) { _, records in records = [] } }
        try edit(folder) { m in
            for index in forged {
                m.ranges[index].testPruned += m.ranges[index].survivors
                m.ranges[index].survivors = 0
                m.ranges[index].canonicalSurvivors = 0
            }
            m.testPruned += m.survivors
            m.survivors = 0
            m.canonicalSurvivors = 0
            m.proven = true
        }
        return forged
    }

    static func edit(_ folder: String, _ change: (inout CertificateManifest) -> Void) throws {
        var manifest = try CertificateManifest.read(directory: folder)
        change(&manifest)
        try manifest.write(directory: folder)
    }

    /// Rewrites range `index`'s survivor file through `change` and records the new digest, so
    /// only the deeper checks can notice.
    static func rewriteSurvivors(_ folder: String, range index: Int,
                                 _ change: (inout SurvivorFormat.Header, inout [[Int]]) throws -> Void) throws {
        var manifest = try CertificateManifest.read(directory: folder)
        let path = folder + "/" + manifest.ranges[index].file
        var (header, records) = try SurvivorFormat.decode([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))))
        try change(&header, &records)
        var body: [UInt8] = []
        for c in records { SurvivorFormat.encode(record: c, into: &body) }
        let bytes = SurvivorFormat.encode(header) + body + SurvivorFormat.trailer(count: UInt64(records.count), checksum: SurvivorFormat.checksum(body))
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        manifest.ranges[index].sha256 = SHA256.hex(bytes)
        try manifest.write(directory: folder)
    }

    /// The index of a range with at least one survivor.
    static func rangeWithSurvivors(_ folder: String) throws -> Int {
        try #require(try CertificateManifest.read(directory: folder).ranges.firstIndex { $0.survivors > 0 })
    }

    /// A consistent certificate with survivors proves nothing: NOT PROVEN, exhaustive or sampled.
    @Test func consistentCertificateWithSurvivorsIsNotProven() throws {
        let folder = try Self.certificate()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let manifest = try CertificateManifest.read(directory: folder)
        #expect(manifest.ranges.count == 12)
        #expect(manifest.survivors > 0 && !manifest.proven)
        var log: [String] = []
        let report = Verifier(directory: folder).verify(log: { log.append($0) })
        #expect(report.verdict == .notProven(survivors: String(manifest.survivors)))
        #expect(report.verdict.line == "NOT PROVEN: consistent, \(manifest.survivors) survivors remain")
        #expect(!report.verdict.succeeded && report.exhaustive && report.rangesChecked == 12)
        #expect(!log.contains { $0.contains("C >=") }, "\(log)")
        #expect(Self.verdict(folder, sample: 3) == .notProven(survivors: String(manifest.survivors)))
    }

    /// `VERIFIED: C >= t` only after every range was re-enumerated; a sample is SPOT-CHECKED, and
    /// nothing it logs states a bound.
    @Test func provenCertificateIsVerifiedOnlyExhaustively() throws {
        let folder = try Self.certificate(ranges: 5, problem: try Problem(n: 1, m: 20, rule: .refined, windows: .twoD), target: Fraction(1, 2))
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(try CertificateManifest.read(directory: folder).proven)
        var log: [String] = []
        let report = Verifier(directory: folder).verify(log: { log.append($0) })
        #expect(report.verdict == .verified(target: "1/2"))
        #expect(report.verdict.line == "VERIFIED: C >= 1/2" && report.exhaustive && report.rangesChecked == 5)
        #expect(Self.verdict(folder, sample: 5) == .verified(target: "1/2"), "a sample of every range is exhaustive")

        log = []
        let sampled = Verifier(directory: folder).verify(sample: 2, seed: 3, log: { log.append($0) })
        guard case .spotChecked(let what) = sampled.verdict else { Issue.record("\(sampled.verdict)"); return }
        #expect(what.contains("2 of 5 ranges") && what.contains("seed 3"), "\(what)")
        #expect(!sampled.exhaustive && sampled.rangesChecked == 2 && sampled.rangesTotal == 5)
        #expect(sampled.verdict.succeeded)
        #expect(!log.contains { $0.contains("C >=") }, "\(log)")
    }

    /// Every survivor removed, digests and counts redone: the exhaustive check finds a missing
    /// survivor, and no sampled check says VERIFIED; a sample that reaches a forged range
    /// rejects it too.
    @Test func forgedProofIsNeverVerified() throws {
        let folder = try Self.certificate()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let forged = try Self.forgeProof(folder)
        #expect(!forged.isEmpty, "\(forged)")
        #expect(try CertificateManifest.read(directory: folder).proven)
        #expect(Self.rejection(folder)?.contains("is missing from") == true, "\(Self.verdict(folder))")
        var caught = 0
        for seed in UInt64(0)..<24 {
            let verdict = Self.verdict(folder, sample: 1, seed: seed)
            switch verdict {
            case .notVerified(let reason):
                #expect(reason.contains("is missing from"), "\(reason)")
                caught += 1
            case .spotChecked:
                break
            default:
                Issue.record("seed \(seed): \(verdict.line)")
            }
        }
        #expect(caught > 0, "no sample of one range among 24 seeds reached a forged range")
    }

    /// The JSON report of `verify CERT --json`: kind, outcome, message, exhaustive, counts.
    @Test func verifyCommandPrintsJSONForCertificates() throws {
        let folder = try Self.certificate(ranges: 5, problem: try Problem(n: 1, m: 20, rule: .refined, windows: .twoD), target: Fraction(1, 2))
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let manifest = try CertificateManifest.read(directory: folder)
        let result = try CLIRunner.run(["verify", folder, "--json"])
        #expect(result.exitCode == 0, "\(result)")
        let object = try #require(result.json, "\(result)")
        #expect(object["kind"] as? String == "certificate")
        #expect(object["outcome"] as? String == "verified")
        #expect(object["message"] as? String == "VERIFIED: C >= 1/2")
        #expect(object["exhaustive"] as? Bool == true)
        #expect(object["total_compositions"] as? String == manifest.totalCompositions)
        #expect(object["test_pruned"] as? String == String(manifest.testPruned))
        #expect(object["survivors"] as? String == "0")
        #expect(object["ranges_checked"] as? String == "5" && object["ranges_total"] as? String == "5")
        #expect(result.stdout.split(separator: "\n").count == 1, "one JSON object: \(result)")

        let sampled = try CLIRunner.run(["verify", folder, "--json", "--sample", "1", "--seed", "9"])
        #expect(sampled.exitCode == 0, "\(sampled)")
        #expect(sampled.json?["outcome"] as? String == "spot-checked", "\(sampled)")
        #expect(sampled.json?["exhaustive"] as? Bool == false)
        #expect(sampled.json?["ranges_checked"] as? String == "1")
        #expect(sampled.json?["seed"] as? String == "9")

        try Self.edit(folder) { $0.totalCompositions = "82" }
        let rejected = try CLIRunner.run(["verify", folder, "--json"])
        #expect(rejected.exitCode == 1, "\(rejected)")
        #expect(rejected.json?["outcome"] as? String == "not-verified", "\(rejected)")
    }

    /// Unreadable or corrupt files inside a certificate folder are NOT VERIFIED (exit 1), not bad input.
    @Test(arguments: ["{", "not json", ""])
    func corruptManifestIsNotVerified(text: String) throws {
        let folder = try Self.certificate(ranges: 2)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try text.write(toFile: folder + "/" + CertificateManifest.fileName, atomically: true, encoding: .utf8)
        let result = try CLIRunner.run(["verify", folder])
        #expect(result.exitCode == 1, "\(result)")
        #expect(result.stdout.split(separator: "\n").last?.hasPrefix("NOT VERIFIED: ") == true, "\(result)")
    }

    @Test func rejectsAChangedCount() throws {
        let folder = try Self.certificate()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // Move one composition from test_pruned to asym_pruned: sizes and totals still add up.
        try Self.edit(folder) { m in
            let i = m.ranges.firstIndex { $0.testPruned > 0 }!
            m.ranges[i].testPruned -= 1
            m.ranges[i].asymPruned += 1
            m.testPruned -= 1
            m.asymPruned += 1
        }
        #expect(Self.rejection(folder)?.contains("recomputed counts") == true)
    }

    @Test func rejectsChangedTotals() throws {
        let folder = try Self.certificate()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Self.edit(folder) { m in
            m.survivors = 0
            m.proven = true
        }
        #expect(Self.rejection(folder, sample: 1)?.contains("totals") == true)
    }

    @Test func rejectsADroppedRange() throws {
        let folder = try Self.certificate()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Self.edit(folder) { m in
            let dropped = m.ranges.remove(at: 4)
            m.asymPruned -= dropped.asymPruned
            m.testPruned -= dropped.testPruned
            m.survivors -= dropped.survivors
            m.canonicalSurvivors -= dropped.canonicalSurvivors
            m.proven = m.survivors == 0
        }
        #expect(Self.rejection(folder, sample: 1)?.contains("not covered") == true)
    }

    @Test func rejectsAnEditedSurvivorFile() throws {
        let folder = try Self.certificate()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let manifest = try CertificateManifest.read(directory: folder)
        let url = URL(fileURLWithPath: folder + "/" + manifest.ranges[try Self.rangeWithSurvivors(folder)].file)
        var bytes = [UInt8](try Data(contentsOf: url))
        bytes[SurvivorFormat.headerSize] ^= 1
        try Data(bytes).write(to: url)
        #expect(Self.rejection(folder, sample: 1)?.contains("SHA-256") == true)
    }

    /// A survivor swapped for a pruned composition, with the file's checksum and digest redone.
    @Test func rejectsAListedNonSurvivor() throws {
        let folder = try Self.certificate()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let index = try Self.rangeWithSurvivors(folder)
        let lower = UInt64(try CertificateManifest.read(directory: folder).ranges[index].lower)!
        try Self.rewriteSurvivors(folder, range: index) { _, records in
            // The range's first composition, unless it survives; then the next that does not.
            let classifier = PlainClassifier(n: 2, m: 6, refined: true, maxLength: 4, targetNumerator: 1, targetDenominator: 1)
            var c = PlainCompositions.unrank(lower, parts: 4, sum: 48)!
            while classifier.classify(c) == .survivor { _ = PlainCompositions.advance(&c) }
            records[0] = c
            records.sort { $0.lexicographicallyPrecedes($1) }
        }
        let reason = Self.rejection(folder, sample: 1)
        #expect(reason?.contains("is not a survivor") == true, "\(reason ?? "accepted")")
    }

    /// A survivor left out of its file, with every count adjusted to match: only re-enumeration sees it.
    @Test func rejectsAMissingSurvivor() throws {
        let folder = try Self.certificate()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let index = try Self.rangeWithSurvivors(folder)
        var removed: [Int] = []
        try Self.rewriteSurvivors(folder, range: index) { _, records in removed = records.removeLast() }
        try Self.edit(folder) { m in
            let canonical: UInt64 = Verifier.isCanonical(removed) ? 1 : 0
            m.ranges[index].survivors -= 1
            m.ranges[index].testPruned += 1
            m.ranges[index].canonicalSurvivors -= canonical
            m.survivors -= 1
            m.testPruned += 1
            m.canonicalSurvivors -= canonical
            m.proven = m.survivors == 0
        }
        #expect(Self.rejection(folder)?.contains("is missing from") == true)
    }

    @Test func rejectsAWrongTarget() throws {
        let folder = try Self.certificate()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Self.edit(folder) { $0.target = "101/100" }
        #expect(Self.rejection(folder, sample: 1)?.contains("other parameters") == true)
    }

    /// The rule changed everywhere, survivor headers included: only the recount can tell.
    @Test func rejectsAWrongRuleEverywhere() throws {
        let folder = try Self.certificate()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let flat = try Problem(n: 2, m: 6, rule: .flat, windows: .d)
        for index in try CertificateManifest.read(directory: folder).ranges.indices {
            try Self.rewriteSurvivors(folder, range: index) { header, _ in
                header = SurvivorFormat.Header(problem: flat, target: header.target, level: header.level)
            }
        }
        try Self.edit(folder) { $0.rule = "flat" }
        let reason = Self.rejection(folder)
        #expect(reason?.contains("recomputed counts") == true || reason?.contains("is missing from") == true, "\(reason ?? "accepted")")
    }

    @Test func rejectsAWrongSize() throws {
        let folder = try Self.certificate()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Self.edit(folder) { $0.totalCompositions = "20826" }
        #expect(Self.rejection(folder)?.contains("total_compositions") == true)
    }

    @Test func rejectsAMissingManifest() throws {
        let folder = try CLIRunner.temporaryFolder().path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(Self.rejection(folder)?.contains("cannot read certificate manifest") == true)
    }

    /// Shard certificates join into one that verifies; a shard's alone does not cover the space.
    @Test func mergedShardCertificatesVerify() throws {
        let problem = Self.problem
        let job = try Job(problem: problem)
        var folders: [String] = []
        defer { for f in folders { try? FileManager.default.removeItem(atPath: f) } }
        for index in 0..<3 {
            let folder = try CLIRunner.temporaryFolder().path
            folders.append(folder)
            let shard = try Shard(index: index, count: 3)
            let writer = try CertificateWriter(
                directory: folder, problem: problem, target: Self.target, totalCompositions: job.range.count,
                provenance: .init(version: "test", kernelHash: "none", backend: "cpu", device: "test"), ranges: 4)
            _ = try writer.prove(Job(problem: problem, range: shard.range(of: job.range)), backend: CPUEngine(threads: 2),
                                 cutoffs: ProveCutoffs(problem: problem, target: Self.target), survivors: nil, progress: nil)
        }
        #expect(Self.rejection(folders[1], sample: 1)?.contains("not covered") == true)
        let output = try CLIRunner.temporaryFolder().path
        folders.append(output)
        let merged = try CertificateMerger.merge(folders.reversed().dropFirst().reversed(), into: output)
        #expect(merged.ranges.count == 12)
        #expect(Self.verdict(output) == .notProven(survivors: String(merged.survivors)))
        #expect(throws: CoreError.self) { try CertificateMerger.merge([folders[0], folders[2]], into: output) }
        #expect(throws: CoreError.self) { try CertificateMerger.merge([folders[0], folders[0], folders[1], folders[2]], into: output) }
    }
}
