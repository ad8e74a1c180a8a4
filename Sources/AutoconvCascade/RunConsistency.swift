import AutoconvCore

/// The cross-checks that every open of a run directory makes before a single count of its state
/// is believed. The state is sealed, so these catch what a seal cannot: a state, ledger or
/// survivor file from another moment of the run, or a hand-made one. What they guarantee:
///
/// - finished levels are exactly 0 … k−1, each with this run's d, counts that add up
///   (children = asym + test + survivors), a survivor file whose header names this run and
///   level and whose record count and size are the state's, and a ledger that tiles its space
///   (level 0: all ranks; level K: the parents, i.e. level K−1's survivors) and adds up to the
///   state's counts;
/// - only the last finished level may have no survivors; outcome `proven` means it has none,
///   `not-proven` means it has some and is the final level (or below it, for a run being
///   extended: `RunDirectory.extend`), `running` means neither;
/// - the level in progress: its position is within its space, its ledger tiles [0, position)
///   and adds up to its counts so far, and its sorted runs are this level's and hold exactly
///   that many survivors.
extension RunDirectory {
    /// Checks the state; returns the ledger of the level in progress (nil once the run ended).
    func checkConsistency() throws -> Ledger? {
        let s = state
        func bad(_ why: String) -> CoreError {
            .badInput("run directory '\(path)': the state '\(path)/state' does not match the run: \(why)")
        }
        guard s.finished.count <= problems.count else {
            throw bad("it lists \(s.finished.count) finished levels of a run with levels 0…\(parameters.finalLevel)")
        }
        guard s.ledgers.enumerated().allSatisfy({ $0.offset == $0.element.level }) else {
            throw bad("its ledger lines are not for levels 0, 1, … in order")
        }
        let compositions = UInt128(try Job(problem: problems[0]).range.count)
        // The space of level k: all ranks at level 0, the previous level's survivors after it.
        func space(_ k: Int) -> UInt128 { k == 0 ? compositions : s.finished[k - 1].survivors }

        for (k, summary) in s.finished.enumerated() {
            try checkSummary(summary, level: k, bad)
            guard k + 1 == s.finished.count || summary.survivors > 0 else {
                throw bad("level \(k) has no survivors, yet level \(k + 1) was run")
            }
            // A reversal orbit holds one or two survivors.
            guard summary.canonicalSurvivors <= summary.survivors,
                  summary.survivors - summary.canonicalSurvivors <= summary.canonicalSurvivors else {
                throw bad("level \(k) has \(summary.canonicalSurvivors) canonical survivors of \(summary.survivors)")
            }
            let file = levelFile(k)
            let shape = try SurvivorReader.shape(of: file)
            guard shape.header == survivorHeader(k) else { throw bad("'\(file)' belongs to another run or level") }
            guard UInt128(shape.count) == summary.survivors, shape.bytes == summary.fileBytes else {
                throw bad("'\(file)' holds \(shape.count) survivors in \(shape.bytes) bytes, the state says \(summary.survivors) in \(summary.fileBytes)")
            }
            guard k < s.ledgers.count else { throw bad("finished level \(k) has no ledger line") }
            let ledger = try Ledger.open(path: ledgerFile(k), mark: s.ledgers[k], cutExtra: false)
            try ledger.check(level: k, to: space(k), summing: summary.counts, bad)
        }

        switch s.outcome {
        case .running:
            let level = s.level
            guard level == s.finished.count, level < problems.count else {
                throw bad("level \(level) is in progress after \(s.finished.count) finished levels of 0…\(parameters.finalLevel)")
            }
            guard s.finished.last.map({ $0.survivors > 0 }) ?? true else {
                throw bad("outcome 'running', but level \(level - 1) has no survivors")
            }
            try checkSummary(s.current, level: level, bad)
            guard s.current.canonicalSurvivors == 0, s.current.fileBytes == 0 else { throw bad("the level in progress has a file size or orbit count") }
            guard UInt128(s.position) <= space(level) else {
                throw bad("position \(s.position) is past the \(space(level)) \(level == 0 ? "ranks" : "parents") of level \(level)")
            }
            guard s.ledgers.count == level + 1 else { throw bad("it has \(s.ledgers.count) ledger lines for levels 0…\(level)") }
            // A run opened for shards is never written: a half-written batch there is an error.
            let ledger = try Ledger.open(path: ledgerFile(level), mark: s.ledgers[level], cutExtra: !isShared)
            try ledger.check(level: level, to: UInt128(s.position), summing: s.current.counts, bad)
            try checkRuns(level: level, bad)
            return ledger
        case .proven, .notProven:
            guard let last = s.finished.last else { throw bad("outcome '\(s.outcome.rawValue)' with no finished level") }
            if s.outcome == .proven {
                guard last.survivors == 0 else { throw bad("outcome 'proven', but level \(last.level) has \(last.survivors) survivors") }
            } else {
                // Below the final level only while `RunDirectory.extend` is cut short between
                // its manifest and its state; opening the run then finishes the extension.
                guard s.finished.count <= problems.count, last.survivors > 0 else {
                    throw bad("outcome 'not-proven', but the last finished level \(last.level) is not the final level \(parameters.finalLevel) with survivors")
                }
            }
            guard s.level == last.level, s.position == 0, s.runs.isEmpty, s.nextRun == 0, s.current == last,
                  s.ledgers.count == s.finished.count else {
                throw bad("outcome '\(s.outcome.rawValue)' with a level still in progress")
            }
            return nil
        }
    }

    /// A level's summary: its level and d, a sane time, and counts that add up.
    private func checkSummary(_ summary: LevelSummary, level: Int, _ bad: (String) -> CoreError) throws {
        guard summary.level == level, summary.d == problems[level].d else {
            throw bad("level \(level) is recorded as level \(summary.level) with d = \(summary.d) (expected d = \(problems[level].d))")
        }
        guard summary.seconds.isFinite, summary.seconds >= 0 else { throw bad("level \(level) has time \(summary.seconds)") }
        guard summary.counts.addsUp else {
            throw bad("level \(level): children \(summary.children) ≠ asym_pruned \(summary.asymmetryPruned) + test_pruned \(summary.testPruned) + survivors \(summary.survivors)")
        }
    }

    /// The sorted runs of the level in progress: named as this level's runs, numbered below
    /// `next-run`, headed for this run and level, and together holding exactly the level's
    /// survivors so far (each batch's survivors are distinct and written once).
    private func checkRuns(level: Int, _ bad: (String) -> CoreError) throws {
        guard state.nextRun >= 0, state.nextRun < 1 << 40 else { throw bad("next-run \(state.nextRun) is out of range") }
        var seen: Set<String> = []
        var held: UInt128 = 0
        for name in state.runs {
            let prefix = runPrefix(level) + "-", suffix = ".surv"
            let number = name.hasPrefix(prefix) && name.hasSuffix(suffix) ? name.dropFirst(prefix.count).dropLast(suffix.count) : ""
            guard let n = Int(number), "\(n)" == number, n < state.nextRun, seen.insert(name).inserted else {
                throw bad("'\(name)' is not a sorted run of level \(level)")
            }
            let shape = try SurvivorReader.shape(of: path + "/" + name)
            guard shape.header == survivorHeader(level) else { throw bad("'\(path)/\(name)' belongs to another run or level") }
            held += UInt128(shape.count)
        }
        guard held == state.current.survivors else {
            throw bad("the sorted runs hold \(held) survivors, the state counts \(state.current.survivors)")
        }
    }
}

extension Ledger {
    /// The entries tile [first, end) in order and add up to `counts`; each entry's counts add
    /// up, and its range is its parents (level ≥ 1) or its children (level 0). For the run's
    /// own ledgers first is 0; a shard's ledger (`ShardDirectory`) starts at its first parent.
    func check(level: Int, from first: UInt64 = 0, to end: UInt128, summing counts: ChildCounts,
               _ bad: (String) -> CoreError) throws {
        var next = first
        var sum = ChildCounts()
        for (i, entry) in entries.enumerated() {
            guard entry.first == next, entry.first < entry.end else {
                throw bad("'\(path)' entry \(i) covers [\(entry.first), \(entry.end)), not a range from \(next)")
            }
            let c = entry.counts
            let width = UInt128(entry.end - entry.first)
            let shaped = level == 0 ? c.children == width && c.parents == 0 && c.patterns == 0 && c.patternsPruned == 0
                                    : c.parents == width && c.patternsPruned <= c.patterns
            guard shaped, c.addsUp, let total = sum.adding(c) else {
                throw bad("'\(path)' entry \(i) [\(entry.first), \(entry.end)) has counts that do not add up")
            }
            sum = total
            next = entry.end
        }
        guard UInt128(next) == end else {
            throw bad("'\(path)' covers [\(first), \(next)), the state says [\(first), \(end))")
        }
        guard sum == counts else { throw bad("'\(path)' adds up to other counts than the state's for level \(level)") }
    }
}

extension ChildCounts {
    /// children = asym_pruned + test_pruned + survivors, without overflow.
    var addsUp: Bool {
        let (a, o1) = asymmetryPruned.addingReportingOverflow(testPruned)
        let (b, o2) = a.addingReportingOverflow(survivors)
        return !o1 && !o2 && b == children
    }

    /// The field-wise sum, or nil if a field overflows.
    func adding(_ other: ChildCounts) -> ChildCounts? {
        var sum = ChildCounts()
        for field in [\ChildCounts.parents, \.patterns, \.patternsPruned, \.children, \.asymmetryPruned, \.testPruned, \.survivors] {
            let (value, overflow) = self[keyPath: field].addingReportingOverflow(other[keyPath: field])
            if overflow { return nil }
            sum[keyPath: field] = value
        }
        return sum
    }
}
