import AutoconvCore
import Foundation
import Testing
import TestSupport
@testable import AutoconvCheck

/// `verify RUN_DIR` does not take the state's word that a level is complete (issue 9 §3.3): the
/// ledgers must tile every level's ranks or parents, with the exact number of children and the
/// file's survivors per range; tampering is NOT VERIFIED (exit 1), an unproven run NOT PROVEN,
/// and nothing sampled states a bound.
@Suite struct CascadeLedgerVerifyTests {
    /// (1, 12) at target 21/20, levels 0…1, a checkpoint per parent: 13 parents in several
    /// ledger entries, 1636 survivors at d = 4 (not proven).
    static let open = try! CascadeVerifyTests.run(["--n", "1", "--m", "12", "--target", "1.05", "--levels", "1", "--checkpoint-seconds", "0"])
    /// (1, 12) at target 19/20: 5 parents at level 1, proven at d = 4.
    static let proven = try! CascadeVerifyTests.run(["--n", "1", "--m", "12", "--target", "0.95", "--checkpoint-seconds", "0"])

    static func records(_ path: String) throws -> [[Int]] {
        try SurvivorFormat.decode([UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))).1
    }

    static func ledger(_ dir: String, level: Int) throws -> [[String]] {
        try String(contentsOfFile: "\(dir)/level-\(level).ledger", encoding: .utf8).split(separator: "\n").dropFirst()
            .map { Array($0.split(separator: " ").dropFirst().dropLast().map(String.init)) }
    }

    /// Sets the state's counts of finished level `level` (PARENTS … SURVIVORS, fields 3–9).
    static func setCounts(_ dir: String, level: Int, _ counts: [UInt64]) throws {
        for (i, value) in counts.enumerated() {
            try RunFiles.setStateField(dir, line: "finished \(level)", field: 3 + i, to: "\(value)")
        }
    }

    /// What the old engine left after `position` was raised in level 1: the ledger (and the
    /// survivors, and the state's counts) of the first `kept` batches only, all consistent.
    static func cutShort(_ dir: String, keeping kept: Int) throws -> (end: Int, parents: Int) {
        var entries = try ledger(dir, level: 1)
        entries = Array(entries.prefix(kept))
        let end = Int(entries.last![1])!
        let parents = try records(dir + "/level-0.surv")
        try CascadeVerifyTests.rewrite(dir, level: 1) { children in
            children.removeAll { parents.firstIndex(of: PlainChildren.parent(of: $0))! >= end }
        }
        try RunFiles.rewriteLedger(dir, level: 1) { $0 = entries }
        let sums = (2...8).map { field in entries.reduce(UInt64(0)) { $0 + UInt64($1[field])! } }
        try setCounts(dir, level: 1, sums)
        return (end, parents.count)
    }

    /// Issue 9: a level cut short by a raised position (the old engine then printed PROVEN, and
    /// verify SPOT-CHECKED) is NOT VERIFIED, naming the parents never expanded.
    @Test func aLevelCutShortIsNotVerifiedNamingTheGap() throws {
        let dir = try CascadeVerifyTests.copy(Self.open)
        let (end, parents) = try Self.cutShort(dir, keeping: 2)
        #expect(end < parents)
        let expected = "level 1: parents [\(end), \(parents)) were never expanded"
        #expect(CascadeVerifyTests.reason(CascadeVerifyTests.verdict(dir)).hasPrefix(expected))
        let result = try CLIRunner.run(["verify", dir])
        #expect(result.exitCode == 1 && result.stdout.split(separator: "\n").last?.hasPrefix("NOT VERIFIED: " + expected) == true, "\(result)")
    }

    /// A batch missing from the middle of the ledger is a gap too.
    @Test func aMissingBatchIsNotVerified() throws {
        let dir = try CascadeVerifyTests.copy(Self.open)
        let entries = try Self.ledger(dir, level: 1)
        #expect(entries.count >= 3)
        try RunFiles.rewriteLedger(dir, level: 1) { $0.remove(at: 1) }
        let reason = CascadeVerifyTests.reason(CascadeVerifyTests.verdict(dir))
        #expect(reason.hasPrefix("level 1: parents [\(entries[1][0]), \(entries[1][1])) of 13 were never expanded"), "\(reason)")
    }

    /// The children an entry claims must be the exact number of relaxed children of its parents.
    @Test func childrenThatAreNotTheParentsChildrenAreNotVerified() throws {
        let dir = try CascadeVerifyTests.copy(Self.open)
        var entries = try Self.ledger(dir, level: 1)
        let claimed = UInt64(entries[0][5])! + 1
        for field in [5, 7] { entries[0][field] = "\(UInt64(entries[0][field])! + 1)" }
        try RunFiles.rewriteLedger(dir, level: 1) { $0 = entries }
        try Self.setCounts(dir, level: 1, (2...8).map { field in entries.reduce(UInt64(0)) { $0 + UInt64($1[field])! } })
        let reason = CascadeVerifyTests.reason(CascadeVerifyTests.verdict(dir))
        #expect(reason.contains("ledger entry 0 (parents [0, \(entries[0][1]))) claims \(claimed) children, its parents have \(claimed - 1)"),
                "\(reason)")
    }

    /// Survivors moved from one entry to another keep every sum, but not the recount per range,
    /// at level ≥ 1 (by parent) and at level 0 (by rank).
    @Test func survivorsCountedAgainstTheirRanges() throws {
        let dir = try CascadeVerifyTests.copy(Self.open)
        try RunFiles.rewriteLedger(dir, level: 1) { entries in
            let from = entries.firstIndex { UInt64($0[8])! > 0 }!, to = entries.firstIndex { UInt64($0[7])! > 0 && $0 != entries[from] }!
            for (i, field, step) in [(from, 8, -1), (from, 7, 1), (to, 8, 1), (to, 7, -1)] {
                entries[i][field] = "\(Int(entries[i][field])! + step)"
            }
        }
        #expect(CascadeVerifyTests.reason(CascadeVerifyTests.verdict(dir)).contains("survivors, the level's file holds"))

        // Level 0: one entry [0, 49) split in two, with the first survivor's count in the wrong one.
        let zero = try CascadeVerifyTests.copy(Self.open)
        let first = try #require(try Self.records(zero + "/level-0.surv").first)
        var rank: UInt64 = 0
        while PlainCompositions.unrank(rank, parts: 2, sum: 48) != first { rank += 1 }
        let split = rank + 1
        let old = try Self.ledger(zero, level: 0)[0].map { UInt64($0)! }   // 0 49 0 0 0 49 asym test survivors
        let asym = min(split, old[6])
        #expect(split - asym <= old[7])
        try RunFiles.rewriteLedger(zero, level: 0) { entries in
            entries = [["0", "\(split)", "0", "0", "0", "\(split)", "\(asym)", "\(split - asym)", "0"],
                       ["\(split)", "49", "0", "0", "0", "\(49 - split)", "\(old[6] - asym)", "\(old[7] - (split - asym))", "\(old[8])"]]
        }
        let reason = CascadeVerifyTests.reason(CascadeVerifyTests.verdict(zero))
        #expect(reason == "level 0: ledger entry 0 (ranks [0, \(split))) claims 0 survivors, the level's file holds 1 from them", "\(reason)")
    }

    /// Damage found by verify is NOT VERIFIED with exit 1: a flipped byte, a missing ledger, a
    /// FIFO in place of the state (refused at once, not waited on).
    @Test(arguments: ["flip", "ledger", "fifo", "format 1"])
    func damageIsNotVerified(kind: String) throws {
        let dir = try CascadeVerifyTests.copy(Self.proven)
        switch kind {
        case "flip":
            var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/state")))
            bytes[7] ^= 0x01
            try Data(bytes).write(to: URL(fileURLWithPath: dir + "/state"))
        case "ledger":
            try FileManager.default.removeItem(atPath: dir + "/level-1.ledger")
        case "fifo":
            try FileManager.default.removeItem(atPath: dir + "/state")
            #expect(mkfifo(dir + "/state", 0o644) == 0)
        default:
            try Data("autoconv-cascade-run 1\nn0 1\n".utf8).write(to: URL(fileURLWithPath: dir + "/manifest"))
        }
        let result = try CLIRunner.run(["verify", dir])
        #expect(result.exitCode == 1, "\(result)")
        #expect(result.stdout.split(separator: "\n").last?.hasPrefix("NOT VERIFIED: ") == true, "\(result)")
    }

    /// Every flipped byte and every truncation of the state, the manifest and a ledger of a
    /// proven run: NOT VERIFIED each time, never a crash and never a verdict that succeeds.
    @Test(arguments: ["state", "manifest", "level-1.ledger"])
    func everyDamagedByteIsNotVerified(file: String) throws {
        let dir = try CascadeVerifyTests.copy(Self.proven)
        let path = dir + "/" + file
        let original = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        var mutations = (0..<original.count).map { length in Array(original.prefix(length)) }
        for i in original.indices {
            var flipped = original
            flipped[i] ^= 0x01
            mutations.append(flipped)
        }
        for mutated in mutations {
            try Data(mutated).write(to: URL(fileURLWithPath: path))
            let verdict = CascadeVerifier(directory: dir).verify(sample: 5, seed: 1).verdict
            #expect(verdict.name == "not-verified", "\(file) damaged: \(verdict)")
        }
        try Data(original).write(to: URL(fileURLWithPath: path))
        #expect(CascadeVerifier(directory: dir).verify().verdict == .verified(target: "19/20"))
    }

    /// Removes the verdict words that are allowed, so that what is left must not state a bound.
    static func statesABound(_ line: String) -> Bool {
        let rest = line.replacingOccurrences(of: "NOT PROVEN", with: "").replacingOccurrences(of: "NOT VERIFIED", with: "")
        return rest.contains("C >=") || rest.contains("PROVEN") || rest.contains("VERIFIED")
    }

    /// SPOT-CHECKED and NOT PROVEN, and every log line printed with them, never say "C >=",
    /// PROVEN or VERIFIED; only an exhaustive check of a proven run does.
    @Test func onlyAnExhaustiveCheckStatesABound() throws {
        for (dir, sampledVerdict) in [(Self.proven, "spot-checked"), (Self.open, "not-proven")] {
            var lines: [String] = []
            let report = CascadeVerifier(directory: dir, exhaustiveLimit: 10, parentChildLimit: 100)
                .verify(sample: 5, seed: 1) { lines.append($0) }
            #expect(report.verdict.name == sampledVerdict && !report.exhaustive, "\(report.verdict)")
            for line in lines + [report.verdict.line] { #expect(!Self.statesABound(line), "\(line)") }
        }
        var lines: [String] = []
        let exhaustive = CascadeVerifier(directory: Self.proven).verify { lines.append($0) }
        #expect(exhaustive.verdict == .verified(target: "19/20") && exhaustive.exhaustive)
        #expect(lines.contains { $0.contains("C >= 19/20") }, "the exhaustive case states its bound: \(lines)")
    }

    @Test func notProvenThroughTheCLI() throws {
        let json = try CLIRunner.run(["verify", Self.open, "--json"])
        #expect(json.exitCode == 1, "\(json)")
        let object = try #require(json.json)
        #expect(object["outcome"] as? String == "not-proven" && object["exhaustive"] as? Bool == true)
        #expect(object["message"] as? String == "NOT PROVEN: consistent, 1636 survivors remain")
    }
}
