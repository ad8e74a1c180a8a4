import AutoconvCore

/// The child kernel's self-test (hashcat's habit, as `SelfTest` is for single levels): right
/// after a child program is built, the device classifies the first, middle and last children of
/// one parent (the first of the batch that needed the program), through the jobs' own launch
/// path, and its counts and survivors must equal the core `Evaluator`'s verdicts on the same
/// children, rebuilt one by one with `ChildTree.child(at:)`. Any difference stops the run.
/// `AUTOCONV_SELFTEST_CORRUPT` (see `SelfTest.corrupts`) corrupts one expected count.
enum ChildSelfTest {
    /// Children per checked range.
    static let span: UInt128 = 1024

    /// Runs the test on `launcher`'s one parent; returns the line to log, or throws
    /// `CoreError.failure` naming the difference.
    static func run(_ launcher: ChildLauncher, job: ChildJob) throws -> String {
        let tree = launcher.trees[0]
        let evaluator = Evaluator(problem: job.problem)
        let count = tree.count, width = min(span, count)
        let middle = (count - width) / 2
        var checked = 0
        let corrupt = SelfTest.corrupts("children")
        for (lower, upper) in [(0, width), (middle, middle + width), (count - width, count)] where lower < upper {
            var expected = ChildCounts()
            var survivors: [UInt128] = []
            for index in lower..<upper {
                switch evaluator.verdict(tree.child(at: index)!.child, cutoffs: job.cutoffs) {
                case .asymmetryPruned: expected.asymmetryPruned += 1
                case .testPruned: expected.testPruned += 1
                case .survivor:
                    expected.survivors += 1
                    survivors.append(index)
                }
            }
            if corrupt { expected.testPruned += 1 }
            let subject = "children \(lower)..<\(upper) of parent \(tree.parent) on \(launcher.program.session.device.summary)"
            var actual = ChildCounts()
            var records: [UInt128] = []
            try launcher.run(lower..<upper, size: { upper - lower }) { _, launch, _ in
                actual.merge(launch.counts)
                records += launch.records.map(\.index)
            }
            let pairs = [("asymmetry-pruned", actual.asymmetryPruned, expected.asymmetryPruned),
                         ("test-pruned", actual.testPruned, expected.testPruned),
                         ("survivors", actual.survivors, expected.survivors)]
            if let (what, device, cpu) = pairs.first(where: { $0.1 != $0.2 }) {
                throw CoreError.failure("OpenCL child self-test failed: \(what): device \(device), CPU \(cpu) for \(subject)")
            }
            guard records.sorted() == survivors else {
                throw CoreError.failure("OpenCL child self-test failed: the device's survivors differ from the CPU's for \(subject)")
            }
            checked += Int(upper - lower)
        }
        return "child self-test passed (\(checked) children)"
    }
}
