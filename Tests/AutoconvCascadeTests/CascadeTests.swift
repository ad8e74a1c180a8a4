@testable import AutoconvCascade
import AutoconvCore
import AutoconvCPU
import AutoconvOpenCL
import Foundation
import Testing
import TestSupport

/// The engine against the naive reference, level by level, and the run directory's guarantees.
struct CascadeTests {
    static func temporaryDirectory() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("cascade-test-\(UUID().uuidString)").path
    }

    /// Runs `parameters` on the CPU engine, or on the OpenCL one (the default device, POCL
    /// here) with small walks so that every level spans many launches and work-items.
    static func run(_ parameters: CascadeParameters, path: String = temporaryDirectory(), threads: Int = 2,
                    openCL: Bool = false, sortMemory: Int = 256 << 20,
                    stop: @escaping StopCheck = { false }) throws -> CascadeOutcome {
        let directory = try RunDirectory(path: path, parameters: parameters, binaryVersion: "test")
        let engine: Engine
        if openCL {
            var configuration = OpenCLConfiguration()
            configuration.workGroupSize = 8
            configuration.ranksPerWorkItem = 13
            configuration.batchSize = 4_096
            engine = try OpenCLEngine(device: try OpenCLDevices.select(nil), configuration: configuration)
        } else {
            engine = CPUEngine(threads: threads)
        }
        let cascade = try Cascade(directory: directory, engine: engine, stop: stop, events: { _ in })
        cascade.sortMemory = sortMemory
        cascade.checkpointSeconds = 0
        return try cascade.run()
    }

    /// Everything but the timings and file sizes.
    static func counts(_ levels: [LevelSummary]) -> [LevelSummary] {
        levels.map { var s = $0; s.seconds = 0; s.fileBytes = 0; return s }
    }

    /// The state file's level line is an on-disk format: run directories written by earlier
    /// builds must stay readable, so its field order never changes.
    @Test func levelSummaryStateLineKeepsItsLayout() throws {
        let line = "3 16 67 201 12 4000 310 3600 90 47 12.5 2048"
        let summary = try #require(LevelSummary(fields: line.split(separator: " ")))
        #expect(summary.level == 3 && summary.d == 16)
        #expect(summary.parents == 67 && summary.patterns == 201 && summary.patternsPruned == 12 && summary.children == 4000)
        #expect(summary.asymmetryPruned == 310 && summary.testPruned == 3600 && summary.survivors == 90)
        #expect(summary.canonicalSurvivors == 47 && summary.seconds == 12.5 && summary.fileBytes == 2048)
        #expect(summary.fields.joined(separator: " ") == line)
    }

    // Cases small enough for the naive reference in a debug build (a few thousand children),
    // covering both rules, both families and asymmetry pruning at a child level (1, 2, 1.3), on
    // the CPU and the OpenCL backends.
    @Test(arguments: [
        (1, 2, "1.3", Rule.refined, ChildFamily.relaxed, 1), (1, 3, "1", .flat, .relaxed, 1),
        (1, 4, "1", .refined, .relaxed, 1), (1, 3, "1", .refined, .exact, 1), (1, 2, "0.9", .flat, .exact, 1),
    ])
    func engineMatchesNaiveReference(n0: Int, m: Int, target: String, rule: Rule, family: ChildFamily, levels: Int) throws {
        let parameters = CascadeParameters(n0: n0, m: m, target: try TargetParser.parse(target), rule: rule,
                                           windows: .twoD, family: family, finalLevel: levels)
        let expected = try NaiveCascade.run(parameters)
        // A tiny sort memory forces many runs and merges; one thread and two must agree.
        let outcome = try Self.run(parameters, threads: 1 + (m % 2), sortMemory: 1 << 10)
        #expect(Self.counts(outcome.levels) == Self.counts(expected))
        #expect(outcome.proven == (expected.last!.survivors == 0))
        let device = try Self.run(parameters, openCL: true)
        #expect(Self.counts(device.levels) == Self.counts(expected), "OpenCL")
        #expect(expected.count > 1, "the case should reach level 1")
    }

    @Test(arguments: [false, true])
    func stoppedRunsResumeToTheSameCounts(openCL: Bool) throws {
        let parameters = CascadeParameters(n0: 1, m: 1, target: Fraction(13, 10), rule: .refined, windows: .twoD,
                                           family: .exact, finalLevel: 2)
        let reference = try Self.run(parameters)
        let path = Self.temporaryDirectory()
        var rng = SeededGenerator(seed: 5)
        var stops = 0
        while true {
            // Stop after a random number of polls (the engines poll once per work unit or launch); after
            // five stops let the run finish, since a batch can need more polls than a budget.
            let budget = stops < 5 ? Int.random(in: 1...40, using: &rng) : Int.max
            let polls = Atomic(0)
            do {
                let outcome = try Self.run(parameters, path: path, openCL: openCL, sortMemory: 1 << 12,
                                           stop: { polls.add() > budget })
                #expect(Self.counts(outcome.levels) == Self.counts(reference.levels))
                break
            } catch let interrupted as CascadeInterrupted {
                #expect(interrupted.directory == path)
                stops += 1
            }
        }
        #expect(stops >= 2)
    }

    @Test func refusesAnotherRunsDirectoryAndCorruptFiles() throws {
        let parameters = CascadeParameters(n0: 1, m: 3, target: Fraction(1), rule: .refined, windows: .twoD,
                                           family: .relaxed, finalLevel: 1)
        let path = Self.temporaryDirectory()
        _ = try Self.run(parameters, path: path)
        let other = CascadeParameters(n0: 1, m: 3, target: Fraction(11, 10), rule: .refined, windows: .twoD,
                                      family: .relaxed, finalLevel: 1)
        #expect(throws: CoreError.self) { try RunDirectory(path: path, parameters: other, binaryVersion: "test") }
        #expect(throws: CoreError.self) { try RunDirectory(path: path, parameters: parameters, binaryVersion: "other") }
        // Flip one record byte of the level-0 file: the reader refuses it.
        let file = path + "/level-0.surv"
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: file)))
        bytes[SurvivorFormat.headerSize] ^= 1
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        #expect(throws: CoreError.self) { try SurvivorReader(path: file) }
    }
}

/// A counter shared with a `@Sendable` closure.
final class Atomic: @unchecked Sendable {
    private var value: Int
    private let lock = NSLock()
    init(_ value: Int) { self.value = value }
    /// Increments and returns the new value.
    @discardableResult
    func add() -> Int { lock.lock(); defer { lock.unlock() }; value += 1; return value }
    var current: Int { lock.lock(); defer { lock.unlock() }; return value }
}
