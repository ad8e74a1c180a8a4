@testable import AutoconvCascade
import AutoconvCore
import AutoconvCPU
import Foundation
import Testing
import TestSupport

/// Small real run directories for the integrity tests, each made once per test process (well
/// under a second each in a debug build) and copied by every test that edits one.
enum RunFixtures {
    static let binary = "test"

    /// (1, 12) at target 19/20: 5 survivors at d = 2, none at d = 4 (proven).
    static let provenParameters = CascadeParameters(n0: 1, m: 12, target: Fraction(19, 20), rule: .refined, windows: .twoD,
                                                    family: .relaxed, finalLevel: 1)
    /// (1, 12) at target 21/20, levels 0…1: 13 parents at level 1, 1636 survivors at d = 4 (not proven).
    static let openParameters = CascadeParameters(n0: 1, m: 12, target: Fraction(21, 20), rule: .refined, windows: .twoD,
                                                  family: .relaxed, finalLevel: 1)

    static let proven = try! finished(provenParameters)
    static let notProven = try! finished(openParameters)
    /// `openParameters` stopped in level 1, after some but not all of its 13 parents.
    static let midLevelOne = try! stoppedInLevelOne(openParameters)

    /// Level counts of the uninterrupted runs.
    static let provenCounts = try! counts(resume(copy(proven)))
    static let openCounts = try! counts(resume(copy(notProven)))

    /// A regular file, a FIFO and a link to the FIFO in a new folder: nodes that `--dir` and
    /// `RunDirectory` must refuse without touching.
    static func nodesThatAreNotDirectories() throws -> (file: String, fifo: String, link: String) {
        let folder = try CLIRunner.temporaryFolder().path
        let file = folder + "/file", fifo = folder + "/fifo", link = folder + "/link"
        try Data("keep".utf8).write(to: URL(fileURLWithPath: file))
        #expect(mkfifo(fifo, 0o644) == 0)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: fifo)
        return (file, fifo, link)
    }

    /// The file still holds its text and the FIFO is still a FIFO.
    static func expectLeftAsTheyWere(file: String, fifo: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "keep", sourceLocation: sourceLocation)
        var info = stat()
        #expect(lstat(fifo, &info) == 0 && info.st_mode & S_IFMT == S_IFIFO, "the FIFO is left as it was", sourceLocation: sourceLocation)
    }

    static func temporaryDirectory() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("cascade-fixture-\(UUID().uuidString)").path
    }

    static func copy(_ dir: String) throws -> String {
        let target = temporaryDirectory()
        try FileManager.default.copyItem(atPath: dir, toPath: target)
        return target
    }

    /// Opens a run and runs it to its end on one thread, with a checkpoint after every parent.
    static func resume(_ dir: String, parameters: CascadeParameters? = nil, binary: String = binary, stop: @escaping StopCheck = { false },
                       events: @escaping (CascadeEvent) -> Void = { _ in }) throws -> CascadeOutcome {
        let directory = try RunDirectory(path: dir, parameters: parameters, binaryVersion: binary)
        let cascade = try Cascade(directory: directory, engine: CPUEngine(threads: 1),
                                  stop: stop, events: events)
        cascade.checkpointSeconds = 0
        return try cascade.run()
    }

    /// Everything but the timings and file sizes.
    static func counts(_ outcome: CascadeOutcome) -> [LevelSummary] {
        outcome.levels.map { var s = $0; s.seconds = 0; s.fileBytes = 0; return s }
    }

    private static func finished(_ parameters: CascadeParameters) throws -> String {
        let dir = temporaryDirectory()
        _ = try resume(dir, parameters: parameters)
        return dir
    }

    /// Stops once level 1 has checkpointed at least 4 parents (batches of 4, 2, then 1 parent).
    /// `binary` is the version the manifest names (the CLI's, for a run the CLI shall resume).
    static func stoppedInLevelOne(_ parameters: CascadeParameters, binary: String = binary) throws -> String {
        let dir = temporaryDirectory()
        let raised = Atomic(0)
        do {
            _ = try resume(dir, parameters: parameters, binary: binary, stop: { raised.current > 0 }, events: { event in
                if case .progress(1, let done, _, _, _) = event, done >= 4 { raised.add() }
            })
            preconditionFailure("the fixture run was not stopped in level 1")
        } catch is CascadeInterrupted {}
        return dir
    }

    /// The state file's bytes.
    static func state(_ dir: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/state")))
    }

    static func write(_ bytes: [UInt8], to path: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    /// The message of a `badInput` that opening `dir` throws, or nil if it opens. Any other
    /// error is recorded as a test failure.
    static func refusal(_ dir: String) -> String? {
        do {
            _ = try RunDirectory(path: dir, parameters: nil, binaryVersion: binary)
            return nil
        } catch CoreError.badInput(let message) {
            return message
        } catch {
            Issue.record("opening '\(dir)' failed with \(error), not badInput")
            return "\(error)"
        }
    }
}
