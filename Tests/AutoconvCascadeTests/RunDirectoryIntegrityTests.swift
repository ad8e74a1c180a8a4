@testable import AutoconvCascade
import AutoconvCore
import Foundation
import Testing
import TestSupport

/// A run directory that cannot lie (issue 9 §3): the state and manifest are sealed, and every
/// open cross-checks the state against the ledgers and the survivor files, refusing (badInput,
/// one line naming the file) anything that does not fit, and never trapping.
@Suite struct RunDirectoryIntegrityTests {
    static func position(_ dir: String) throws -> UInt64 {
        let line = try #require(try RunFiles.lines(dir + "/state").first { $0.hasPrefix("position ") })
        return try #require(UInt64(line.dropFirst("position ".count)))
    }

    /// Issue 9: changing `position` in a run stopped in level 1 made `--resume` expand only the
    /// parents after it and print PROVEN. Edited in place the seal breaks; resealed (a forger),
    /// the ledger no longer backs the position.
    @Test func aChangedPositionIsRefused() throws {
        let dir = try RunFixtures.copy(RunFixtures.midLevelOne)
        let p = try Self.position(dir)
        #expect(p > 0 && p < 13, "the fixture should stop inside level 1")
        let original = try String(contentsOfFile: dir + "/state", encoding: .utf8)
        try original.replacingOccurrences(of: "position \(p)\n", with: "position 12\n").write(toFile: dir + "/state", atomically: true, encoding: .utf8)
        #expect(RunFixtures.refusal(dir)?.contains("sha256") == true)
        for forged in [12, p - 1] {
            try RunFiles.setStateField(dir, line: "position", field: 1, to: "\(forged)")
            let message = try #require(RunFixtures.refusal(dir))
            #expect(message.contains("level-1.ledger' covers [0, \(p)), the state says [0, \(forged))"), "\(message)")
        }
        // Past the parents: refused before any ledger is read.
        try RunFiles.setStateField(dir, line: "position", field: 1, to: "920")
        #expect(RunFixtures.refusal(dir)?.contains("position 920 is past the 13 parents of level 1") == true)
    }

    /// Issue 9: deleting the last state line of a finished run printed "PROVEN" under the
    /// previous level's survivor count.
    @Test func aDeletedFinishedLevelIsRefused() throws {
        let dir = try RunFixtures.copy(RunFixtures.proven)
        let original = try RunFixtures.state(dir)
        try RunFiles.reseal(dir + "/state") { lines in lines.remove(at: lines.lastIndex { $0.hasPrefix("finished ") }!) }
        #expect(RunFixtures.refusal(dir)?.contains("outcome 'proven', but level 0 has 5 survivors") == true)
        try RunFixtures.write(original, to: dir + "/state")
        try RunFiles.reseal(dir + "/state") { $0.removeLast() }
        #expect(RunFixtures.refusal(dir)?.contains("finished level 1 has no ledger line") == true)
        // Unsealed, any cut is refused by the seal alone.
        try RunFixtures.write(Array(original.prefix(original.count / 2)), to: dir + "/state")
        #expect(RunFixtures.refusal(dir)?.contains("sha256") == true)
        try RunFixtures.write(original, to: dir + "/state")
        #expect(RunFixtures.refusal(dir) == nil)
    }

    /// Issue 9: `printf 'outcome proven\nlevel 2\n' > RUN/state` made every later resume trap.
    /// These states, sealed or not, must be refused; a trap would end this test process.
    @Test(arguments: [
        "outcome proven\nlevel 2\n",
        "outcome running\nlevel 99\nposition 0\nnext-run 0\nruns\ncurrent 99 4 0 0 0 0 0 0 0 0 0.0 0\nledger 0 0 \(String(repeating: "0", count: 64))\n",
        "outcome running\nlevel 0\nposition 18446744073709551615\nnext-run 0\nruns\ncurrent 0 2 0 0 0 0 0 0 0 0 0.0 0\n",
        "outcome running\nlevel 0\nposition 0\nnext-run 9223372036854775807\nruns ../manifest\ncurrent 0 2 0 0 0 0 0 0 0 0 0.0 0\n",
        "outcome running\nlevel -1\nposition 0\nnext-run 0\nruns\ncurrent -1 2 0 0 0 0 0 0 0 0 0.0 0\n",
        "outcome not-proven\nlevel 1\nposition 0\nnext-run 0\nruns\ncurrent 1 4 0 0 0 0 0 0 0 0 0.0 0\n"
            + "finished 0 2 0 0 0 340282366920938463463374607431768211455 340282366920938463463374607431768211455 1 0 0 0.0 0\n",
        "outcome proven\nlevel 0\nposition 0\nnext-run 0\nruns\ncurrent 0 2 0 0 0 49 28 16 5 3 nan 96\nfinished 0 2 0 0 0 49 28 16 5 3 nan 96\n",
    ])
    func aHandWrittenStateIsRefused(body: String) throws {
        for sealed in [false, true] {
            let dir = try RunFixtures.copy(RunFixtures.proven)
            try Data((sealed ? SealedText.seal(body) : body).utf8).write(to: URL(fileURLWithPath: dir + "/state"))
            let message = try #require(RunFixtures.refusal(dir), "accepted: \(body)")
            #expect(message.contains("/state"), "\(message)")
            #expect(!message.contains("\n"), "one line: \(message)")
        }
    }

    /// A ledger that skips a batch, or whose counts were changed, no longer backs the state.
    @Test func anEditedLedgerIsRefused() throws {
        let dir = try RunFixtures.copy(RunFixtures.notProven)
        try RunFiles.rewriteLedger(dir, level: 1) { entries in entries.remove(at: 1) }
        #expect(RunFixtures.refusal(dir)?.contains("entry 1 covers") == true)
        let changed = try RunFixtures.copy(RunFixtures.notProven)
        try RunFiles.rewriteLedger(changed, level: 1) { entries in entries[0][7] = "\(Int(entries[0][7])! + 1)" }
        #expect(RunFixtures.refusal(changed)?.contains("do not add up") == true)
        // Edited without re-chaining, the chain breaks.
        let unchained = try RunFixtures.copy(RunFixtures.notProven)
        let path = unchained + "/level-0.ledger"
        try (try String(contentsOfFile: path, encoding: .utf8)).replacingOccurrences(of: "batch 0 49 0 0 0 49 ", with: "batch 0 49 0 0 0 48 ")
            .write(toFile: path, atomically: true, encoding: .utf8)
        #expect(RunFixtures.refusal(unchained)?.contains("does not chain") == true)
    }

    /// A crash between appending a batch to the ledger and saving the state that counts it
    /// leaves an extra ledger line and an unlisted run: resuming cuts both and ends right.
    @Test func aLedgerLineTheStateNeverCountedIsCutOff() throws {
        let dir = try RunFixtures.copy(RunFixtures.midLevelOne)
        let p = try Self.position(dir)
        let path = dir + "/level-1.ledger"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let last = try #require(text.split(separator: "\n").last?.split(separator: " ").last)
        let line = "batch \(p) \(p + 1) 1 2 0 1000 0 990 10"
        try (text + line + " " + SealedText.link(String(last), line) + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        try Data("stray".utf8).write(to: URL(fileURLWithPath: dir + "/level-1.run-999.surv"))
        let outcome = try RunFixtures.resume(dir)
        #expect(RunFixtures.counts(outcome) == RunFixtures.openCounts)
        #expect(!FileManager.default.fileExists(atPath: dir + "/level-1.run-999.surv"))
        #expect(RunFixtures.refusal(dir) == nil, "the finished run opens again")
    }

    /// The runs the state lists must be this level's sorted runs, and all there.
    @Test func aStateListingOtherFilesAsRunsIsRefused() throws {
        let dir = try RunFixtures.copy(RunFixtures.midLevelOne)
        let runs = try #require(try RunFiles.lines(dir + "/state").first { $0.hasPrefix("runs ") })
        for forged in ["runs ../manifest", "runs manifest", "runs level-0.run-0.surv", runs + " " + runs.dropFirst(5)] {
            try RunFiles.reseal(dir + "/state") { $0 = $0.map { $0.hasPrefix("runs") ? forged : $0 } }
            #expect(RunFixtures.refusal(dir)?.contains("is not a sorted run of level 1") == true, "\(forged)")
        }
        #expect(FileManager.default.fileExists(atPath: dir + "/manifest"), "a refused open deletes nothing")
        try RunFiles.reseal(dir + "/state") { $0 = $0.map { $0.hasPrefix("runs") ? runs : $0 } }
        try FileManager.default.removeItem(atPath: dir + "/" + String(runs.split(separator: " ")[1]))
        #expect(RunFixtures.refusal(dir)?.contains("cannot read survivor file") == true)
    }

    /// A finished level's file must be this run's, of that level, with the state's count.
    @Test func aSurvivorFileFromAnotherRunIsRefused() throws {
        let dir = try RunFixtures.copy(RunFixtures.notProven)
        try FileManager.default.removeItem(atPath: dir + "/level-0.surv")
        try FileManager.default.copyItem(atPath: RunFixtures.proven + "/level-0.surv", toPath: dir + "/level-0.surv")
        #expect(RunFixtures.refusal(dir)?.contains("level-0.surv' belongs to another run or level") == true)
    }

    @Test func aSecondOpenIsRefusedWhileTheFirstHoldsTheLock() throws {
        let dir = try RunFixtures.copy(RunFixtures.proven)
        var first: RunDirectory? = try RunDirectory(path: dir, parameters: nil, binaryVersion: RunFixtures.binary)
        #expect(first != nil)
        let message = try #require(RunFixtures.refusal(dir))
        #expect(message.contains("is in use by process \(getpid())"), "\(message)")
        first = nil
        #expect(RunFixtures.refusal(dir) == nil, "the lock goes with the run")
    }

    /// `--dir` must be a directory; nothing is created in place of, or written into, anything else.
    @Test func aPathThatIsNotADirectoryIsRefused() throws {
        let (file, fifo, link) = try RunFixtures.nodesThatAreNotDirectories()
        for path in [file, fifo, link] {
            #expect(throws: CoreError.badInput("'\(path)' exists and is not a directory")) {
                try RunDirectory(path: path, parameters: RunFixtures.provenParameters, binaryVersion: RunFixtures.binary)
            }
        }
        try RunFixtures.expectLeftAsTheyWere(file: file, fifo: fifo)
        // Parameters that fail validation create nothing.
        let folder = URL(fileURLWithPath: file).deletingLastPathComponent().path
        let bad = CascadeParameters(n0: 1, m: 5000, target: Fraction(1), rule: .refined, windows: .twoD, family: .relaxed, finalLevel: 2)
        #expect(throws: CoreError.self) { try RunDirectory(path: folder + "/new", parameters: bad, binaryVersion: RunFixtures.binary) }
        #expect(!FileManager.default.fileExists(atPath: folder + "/new"))
    }

    /// A FIFO or a symbolic link in place of a run file is refused at once, never read from
    /// (a FIFO would block the open forever) or written through.
    @Test(arguments: ["state", "manifest", "level-0.surv", "level-1.ledger", "lock"])
    func aNodeThatIsNotARegularFileIsRefused(name: String) throws {
        let dir = try RunFixtures.copy(RunFixtures.proven)
        try FileManager.default.removeItem(atPath: dir + "/" + name)
        #expect(mkfifo(dir + "/" + name, 0o644) == 0)
        let message = try #require(RunFixtures.refusal(dir))
        #expect(message.contains(name), "\(message)")
        try FileManager.default.removeItem(atPath: dir + "/" + name)
        try FileManager.default.createSymbolicLink(atPath: dir + "/" + name, withDestinationPath: RunFixtures.proven + "/" + name)
        #expect(RunFixtures.refusal(dir) != nil, "a symbolic link to the right content is still refused")
    }
}
