import AutoconvCore
import AutoconvCPU
import AutoconvEngines
import Foundation
import Testing
import TestSupport

/// `autoconv selftest`: the known answers embedded in the binary are those of values.json, they
/// hold on every engine, and a wrong answer or a failing device kernel is reported as a failure.
@Suite struct KnownAnswersTests {
    @Test func embeddedAnswersAreThoseOfValuesJSON() throws {
        let reference = try ReferenceValues.load()
        for known in KnownAnswers.minTests {
            let entry = try #require(reference.minTest.first { $0.n == known.n && $0.m == known.m }, "\(known)")
            #expect(entry.answer(for: known.windows).minTest == known.value.description, "\(known)")
        }
        for known in KnownAnswers.proveCases {
            let entry = try #require(reference.prove.first {
                $0.n == known.n && $0.m == known.m && $0.rule == known.rule.rawValue && $0.maxWindow == known.windows.rawValue
                    && (try? TargetParser.parse($0.target)) == known.target
            }, "\(known)")
            #expect((entry.asymPruned, entry.testPruned, entry.survivors) == (known.asymmetryPruned, known.testPruned, known.survivors),
                    "\(known)")
        }
    }

    /// An engine that miscounts by one survivor fails exactly the prove checks.
    @Test func aWrongEngineFails() {
        var failed: [String] = [], passed = 0
        KnownAnswers.check(OffByOne(base: CPUEngine(threads: 2))) { result in
            if result.mismatch == nil { passed += 1 } else { failed.append(result.check) }
        }
        #expect(passed == KnownAnswers.minTests.count)
        #expect(failed == KnownAnswers.proveCases.map(\.description))
    }

    @Test func selftestPassesOnEveryEngine() throws {
        let run = try CLIRunner.run(["selftest", "--json"])
        #expect(run.exitCode == 0, "\(run)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let engines = try #require(object["engines"] as? [String])
        #expect(engines.count >= 2 && engines[0].hasPrefix("cpu") && engines[1].hasPrefix("opencl"), "\(engines)")
        let checks = try #require(object["checks"] as? [[String: Any]])
        #expect(checks.count == engines.count * (KnownAnswers.minTests.count + KnownAnswers.proveCases.count))
        #expect(object["passed"] as? Bool == true)
    }

    /// A device whose kernels are corrupted (the self-test hook of AutoconvOpenCL) fails every
    /// check on that device, and the verdict says so with exit 1.
    @Test func aCorruptDeviceFailsTheSelftest() throws {
        let run = try CLIRunner.run(["selftest"], environment: ["AUTOCONV_SELFTEST_CORRUPT": "prove"])
        #expect(run.exitCode == 1, "\(run)")
        let lines = run.stdout.split(separator: "\n")
        #expect(lines.last?.hasPrefix("selftest FAILED: ") == true, "\(run)")
        #expect(lines.contains { $0.hasPrefix("ok      cpu: ") })
        #expect(lines.contains { $0.hasPrefix("FAILED  opencl: ") })
        #expect(!run.stdout.contains("PASSED"))
    }
}

/// The CPU engine with one survivor too many in every prove.
private struct OffByOne: Engine {
    let base: CPUEngine
    var name: String { base.name }
    var deviceDescription: String { base.deviceDescription }

    func bound(_ job: Job, progress: ProgressHandler?) throws -> BoundPartial { try base.bound(job, progress: progress) }

    func prove(_ job: Job, cutoffs: ProveCutoffs, survivors: SurvivorHandler?, progress: ProgressHandler?) throws -> ProveCounts {
        var counts = try base.prove(job, cutoffs: cutoffs, survivors: survivors, progress: progress)
        counts.survivors += 1
        return counts
    }

    func expand(_ job: ChildJob, survivors: ([[Int]]) throws -> Void, stop: @escaping StopCheck,
                progress: ((Int) -> Void)?) throws -> ChildCounts {
        try base.expand(job, survivors: survivors, stop: stop, progress: progress)
    }
}
