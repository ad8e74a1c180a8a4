import AutoconvCascade
import AutoconvCore

/// Cascade progress on stderr: a line per level start and end, and within a level parents
/// done/total, children per second and ETA (in place on a terminal, every 10 s when piped).
final class CascadeProgress {
    private let clock = ContinuousClock()
    /// The level in progress: when it started, and meters of its children and its parents (or
    /// ranks at level 0).
    private var meter: (level: Int, started: ContinuousClock.Instant, children: ProgressMeter, done: ProgressMeter)?

    func handle(_ event: CascadeEvent) {
        switch event {
        case .levelStarted(let level, let d, let parents):
            Terminal.err(level == 0 ? "level 0 (d = \(d)): \(parents) compositions" : "level \(level) (d = \(d)): \(parents) parents")
            meter = (level, clock.now, ProgressMeter(total: 0), ProgressMeter(total: parents))
        case .progress(let level, let done, let total, let children, _):
            let now = clock.now
            if meter?.level != level { meter = (level, now, ProgressMeter(total: 0), ProgressMeter(total: total)) }
            let elapsed = (now - meter!.started).seconds
            meter!.done.sample(done: done, at: elapsed)
            meter!.children.sample(done: UInt64(clamping: children), at: elapsed)
            let unit = level == 0 ? "ranks" : "parents"
            Terminal.status("level \(level): \(unit) " + ProgressReporter.line(meter!.done, done: done, elapsed: elapsed, unit: unit)
                            + ", \(meter!.children.rate.map(scientific) ?? "?") children/s")
        case .levelFinished(let summary):
            Terminal.err(CascadeProgress.line(summary))
        }
    }

    func finish() { Terminal.clearStatus() }

    static func line(_ s: LevelSummary) -> String {
        "level \(s.level)  d=\(s.d)  parents \(s.parents)  patterns \(s.patterns) (all pruned: \(s.patternsPruned))  children \(s.children)  asym_pruned \(s.asymmetryPruned)  test_pruned \(s.testPruned)  survivors \(s.survivors) (canonical \(s.canonicalSurvivors))  \(format(s.seconds, 2)) s  \(scientific(Double(s.children) / max(s.seconds, 1e-9))) children/s  file \(s.fileBytes) B"
    }
}
