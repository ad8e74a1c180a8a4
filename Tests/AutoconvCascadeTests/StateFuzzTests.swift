@testable import AutoconvCascade
import AutoconvCore
import Foundation
import Testing
import TestSupport

/// Issue 9 §2: a run directory's files damaged byte by byte. Opening must refuse (badInput), or
/// the run must end with exactly the counts of the untampered run: no trap, no other result.
@Suite struct StateFuzzTests {
    static func fixture(_ name: String) -> (dir: String, counts: [LevelSummary]) {
        name == "proven" ? (RunFixtures.proven, RunFixtures.provenCounts) : (RunFixtures.midLevelOne, RunFixtures.openCounts)
    }

    /// Runs every mutation of `file` through an open in a copy of `pristine`, and the first
    /// `resumes` accepted ones through a resume to the end (`check` sees every accepted one);
    /// returns how many were refused.
    static func tryAll(_ mutations: [[UInt8]], of file: String, in pristine: String, expecting counts: [LevelSummary],
                       comparing normalized: (LevelSummary) -> LevelSummary = { $0 }, resumes: Int = .max,
                       accepted check: (RunDirectory) -> Void = { _ in }) throws -> Int {
        var work = try RunFixtures.copy(pristine)
        var refused = 0, resumed = 0
        for mutated in mutations {
            try RunFixtures.write(mutated, to: work + "/" + file)
            if RunFixtures.refusal(work) != nil {
                refused += 1
                continue
            }
            check(try RunDirectory(path: work, parameters: nil, binaryVersion: RunFixtures.binary))
            if resumed < resumes {
                resumed += 1
                let result = RunFixtures.counts(try RunFixtures.resume(work))
                #expect(result.map(normalized) == counts.map(normalized), "accepted \(file) gave another result: \(result)")
            }
            work = try RunFixtures.copy(pristine)
        }
        return refused
    }

    /// Every single-byte flip (xor 0x01 and 0x80) and every truncation of the state, and of the
    /// ledger that a resume cuts back to the state: raw damage always breaks a seal or a chain,
    /// so all are refused.
    @Test(arguments: [("midLevelOne", "state"), ("proven", "state"), ("midLevelOne", "level-1.ledger")])
    func everyFlippedOrTruncatedByteIsRefused(fixture: String, file: String) throws {
        let (pristine, counts) = Self.fixture(fixture)
        let original = [UInt8](try Data(contentsOf: URL(fileURLWithPath: pristine + "/" + file)))
        var mutations: [[UInt8]] = []
        for i in original.indices {
            for mask: UInt8 in [0x01, 0x80] {
                var flipped = original
                flipped[i] ^= mask
                mutations.append(flipped)
            }
        }
        for length in 0..<original.count { mutations.append(Array(original.prefix(length))) }
        let refused = try Self.tryAll(mutations, of: file, in: pristine, expecting: counts)
        #expect(refused == mutations.count, "\(mutations.count - refused) damaged \(file)s were accepted")
    }

    /// A forger who reseals: every byte of the state's body flipped (xor 0x01), and every digit
    /// moved by ±1, then sealed again, so that only the cross-checks stand between each and a
    /// wrong result. Each is refused, or reads as the original state except in what no file can
    /// confirm without a recount — timings, orbit counts (`canonical_survivors`, informational;
    /// the seal alone protects them) and a larger number for the next sorted run's name — and
    /// then ends with the untampered counts (orbits aside; a few are resumed to the end, the rest
    /// start from a state equal to the original in everything a resume computes from).
    @Test(arguments: ["midLevelOne", "proven"])
    func everyResealedEditIsRefusedOrHarmless(fixture: String) throws {
        let (pristine, counts) = Self.fixture(fixture)
        let body = Array(try RunFiles.lines(pristine + "/state").map { $0 + "\n" }.joined().utf8)
        var bodies: [[UInt8]] = []
        for i in body.indices {
            var flipped = body
            flipped[i] ^= 0x01
            bodies.append(flipped)
            if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(body[i]) {
                for step: UInt8 in [1, 9] {
                    var moved = body
                    moved[i] = UInt8(ascii: "0") + (body[i] - UInt8(ascii: "0") + step) % 10
                    bodies.append(moved)
                }
            }
        }
        // A body ends with its newline (the seal is a line of its own), so the last byte stays.
        let mutations = bodies.filter { $0.last == body.last }.map { Array(SealedText.seal(String(decoding: $0, as: UTF8.self)).utf8) }
        let original = try RunDirectory(path: try RunFixtures.copy(pristine), parameters: nil, binaryVersion: RunFixtures.binary).state
        func informational(_ state: CascadeState) -> CascadeState {
            var s = state
            for i in s.finished.indices { s.finished[i].seconds = 0; s.finished[i].canonicalSurvivors = 0 }
            s.current.seconds = 0
            s.current.canonicalSurvivors = 0
            if s.outcome == .running && s.nextRun >= original.nextRun { s.nextRun = original.nextRun }
            return s
        }
        let withoutOrbits = { (summary: LevelSummary) -> LevelSummary in var s = summary; s.canonicalSurvivors = 0; return s }
        let refused = try Self.tryAll(mutations, of: "state", in: pristine, expecting: counts, comparing: withoutOrbits,
                                      resumes: 5) { accepted in
            #expect(informational(accepted.state) == informational(original), "an accepted edit changed more than timings")
        }
        #expect(refused > 0 && refused < mutations.count, "\(refused) of \(mutations.count) refused: the test should see both")
    }
}
