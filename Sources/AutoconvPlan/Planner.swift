import AutoconvCascade
import AutoconvCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What a plan is for: the target, the rules, the budget and the sampling.
public struct PlanSettings: Sendable {
    public var target: Fraction
    public var rule: Rule
    public var windows: WindowSet
    /// The wall-clock budget of the proof run, in seconds.
    public var budgetSeconds: Double
    /// Parents expanded per level (at most), spread over the strata.
    public var samplesPerLevel: Int
    public var seed: UInt64
    /// The d of the last level (nil: as deep as the limits allow).
    public var maxD: Int?

    public init(target: Fraction, rule: Rule = .refined, windows: WindowSet = .twoD, budgetSeconds: Double,
                samplesPerLevel: Int = 32, seed: UInt64 = 1, maxD: Int? = nil) {
        self.target = target
        self.rule = rule
        self.windows = windows
        self.budgetSeconds = budgetSeconds
        self.samplesPerLevel = samplesPerLevel
        self.seed = seed
        self.maxD = maxD
    }
}

/// An estimate with an interval (about ±2 standard deviations of the sample, clamped at 0), and
/// the exact value when it is known (no sampling was involved).
public struct Estimate: Sendable, Equatable {
    public var value: Double
    public var low: Double
    public var high: Double
    public var exact: UInt128?

    public static func exact(_ value: UInt128) -> Estimate {
        Estimate(value: Double(value), low: Double(value), high: Double(value), exact: value)
    }

    public static func measured(_ seconds: Double) -> Estimate {
        Estimate(value: seconds, low: seconds, high: seconds, exact: nil)
    }

    /// The count as a decimal string: exact when known, else the estimate rounded.
    public var decimal: String {
        if let exact { return String(exact) }
        guard value.isFinite, value < 1e36 else { return "inf" }
        return String(UInt128(max(0, value.rounded())))
    }
}

/// One level of a candidate's plan. Level 0 is run exactly (or, when its sampled time is over
/// the budget, only estimated); deeper levels are estimated from a sample of their parents.
public struct LevelPlan: Sendable {
    public var level: Int
    public var d: Int
    /// Parents (level 0: compositions).
    public var parents: Estimate
    public var children: Estimate
    public var survivors: Estimate
    public var seconds: Estimate
    /// Distinct parents (level 0: rank ranges) actually expanded for this estimate.
    public var sampled: Int
    /// Whether every count of this level is exact (the whole level was run).
    public var exact: Bool
    /// False when the estimate passed the budget before the level's sample was done: its seconds
    /// are then the strata measured so far plus the rest at the measured rate.
    public var complete = true
}

public enum PlanOutcome: String, Sendable {
    /// Level 0 has no survivors: proven by `prove` alone.
    case provenAtLevelZero = "proven_at_level_0"
    /// A level is estimated empty within the budget.
    case withinBudget = "within_budget"
    /// The estimated time passed the budget before a level came out empty.
    case overBudget = "over_budget"
    /// The last level allowed (d ≤ 64, S ≤ 46340, or --max-d) is estimated to keep survivors.
    case survivorsAtLastLevel = "survivors_at_last_level"
}

public struct CandidatePlan: Sendable {
    public var n: Int
    public var m: Int
    public var finalLevel: Int
    public var levels: [LevelPlan] = []
    public var outcome: PlanOutcome = .overBudget
    /// Seconds spent making this plan.
    public var planningSeconds: Double = 0

    public var estimatedSeconds: Double { levels.reduce(0) { $0 + $1.seconds.value } }
    public var interval: (low: Double, high: Double) {
        (levels.reduce(0) { $0 + $1.seconds.low }, levels.reduce(0) { $0 + $1.seconds.high })
    }
    public var withinBudget: Bool { outcome == .provenAtLevelZero || outcome == .withinBudget }
    /// d of the level estimated empty, when the plan fits.
    public var provenAtD: Int? { withinBudget ? levels.last?.d : nil }

    /// Proven at level 0 first, then the fastest expected proof, then the rest.
    static func precedes(_ a: CandidatePlan, _ b: CandidatePlan) -> Bool {
        func rank(_ p: CandidatePlan) -> Int {
            switch p.outcome {
            case .provenAtLevelZero: return 0
            case .withinBudget: return 1
            case .overBudget, .survivorsAtLastLevel: return 2
            }
        }
        if rank(a) != rank(b) { return rank(a) < rank(b) }
        if rank(a) < 2, a.estimatedSeconds != b.estimatedSeconds { return a.estimatedSeconds < b.estimatedSeconds }
        return (a.n, a.m) < (b.n, b.m)
    }
}

/// What the planner reports while it works.
public enum PlanEvent {
    case candidateStarted(n: Int, m: Int)
    case levelPlanned(n: Int, m: Int, LevelPlan)
    case candidateFinished(CandidatePlan)
}

/// Estimates, per start (n, m), the levels and the time of the cascade that proves the target.
///
/// Level 0 is `prove` through the engine, exactly when it is cheap; a large level 0 is first
/// timed on a stratified sample of 16 rank ranges, and when that estimate is over 5 s (or 1/50
/// of the budget) and the sample has survivors, the sample's survivors, weighted, stand for the
/// level's. Its survivors stream into a
/// `Population` stratified by child count. Each next level draws about `samplesPerLevel`
/// parents, allocated to strata in proportion to their children (at least one per stratum) and
/// within a stratum with probability ∝ weight; every drawn parent is expanded in full by the
/// engine (one `ChildJob` each, timed). Per stratum the ratio estimator scales the sample's
/// seconds and survivors by the stratum's children, which children and time are nearly
/// proportional to within a half-octave stratum; a level or stratum with no more parents than
/// draws is enumerated exactly. The survivors of the drawn parents, weighted by their draw's
/// scale factor, are the next level's population. A candidate stops when a level is estimated
/// empty (no drawn parent keeps a survivor), at its last level, or once its estimate passes the
/// budget.
public final class Planner {
    let engine: Engine
    let settings: PlanSettings
    let events: (PlanEvent) -> Void
    private let clock = ContinuousClock()

    public init(engine: Engine, settings: PlanSettings, events: @escaping (PlanEvent) -> Void = { _ in }) {
        self.engine = engine
        self.settings = settings
        self.events = events
    }

    /// The candidates' plans, ranked (see `CandidatePlan.precedes`).
    public func plan(_ starts: [(n: Int, m: Int)]) throws -> [CandidatePlan] {
        try starts.map { try plan(n: $0.n, m: $0.m) }.sorted(by: CandidatePlan.precedes)
    }

    /// The first start, in the order given, whose plan fits the budget (nil if none does): what
    /// `reach` asks of each target it tries, without planning every start.
    public func firstFit(_ starts: [(n: Int, m: Int)]) throws -> CandidatePlan? {
        for start in starts {
            let plan = try plan(n: start.n, m: start.m)
            if plan.withinBudget { return plan }
        }
        return nil
    }

    /// The level of `maxD` for n, or the deepest level the limits allow; nil if `maxD` is no
    /// level of this n or level 0 itself is outside the limits.
    public static func finalLevel(n: Int, m: Int, maxD: Int?) -> Int? {
        guard n >= 1, m >= 1, 2 * n <= Problem.maxD, 4 * n * m <= Problem.maxS else { return nil }
        if let maxD {
            guard let level = try? CascadeParameters.level(forMaxD: maxD, n0: n),
                  level <= CascadeParameters.deepestLevel(n0: n, m: m) else { return nil }
            return level
        }
        return CascadeParameters.deepestLevel(n0: n, m: m)
    }

    public func plan(n: Int, m: Int) throws -> CandidatePlan {
        guard let finalLevel = Planner.finalLevel(n: n, m: m, maxD: settings.maxD) else {
            throw CoreError.badInput("no cascade from n = \(n), m = \(m)\(settings.maxD.map { " to d = \($0)" } ?? "") within d ≤ \(Problem.maxD) and S ≤ \(Problem.maxS)")
        }
        let started = clock.now
        events(.candidateStarted(n: n, m: m))
        let parameters = CascadeParameters(n0: n, m: m, target: settings.target, rule: settings.rule, windows: settings.windows,
                                           family: .relaxed, finalLevel: finalLevel)
        let problems = try parameters.problems()
        var plan = CandidatePlan(n: n, m: m, finalLevel: finalLevel)
        // One stream of seeds per candidate, so a candidate's plan does not depend on the others.
        var seeds = SplitMix64(seed: settings.seed ^ (UInt64(n) << 32 | UInt64(m)) &* 0x9E37_79B9_7F4A_7C15)
        var population = finalLevel > 0 ? Population(slots: settings.samplesPerLevel, deltas: .relaxed, seed: seeds.next()) : nil

        let first = try firstLevel(problems[0], into: population, seeds: &seeds)
        plan.levels.append(first)
        events(.levelPlanned(n: n, m: m, first))
        defer { plan.planningSeconds = (clock.now - started).seconds }
        if first.seconds.value > settings.budgetSeconds {
            plan.outcome = .overBudget
        } else if first.survivors.exact == 0 {
            plan.outcome = .provenAtLevelZero
        } else if first.survivors.value == 0 {
            // Level 0 sampled and no sampled composition survived.
            plan.outcome = .withinBudget
        } else if finalLevel == 0 {
            plan.outcome = .survivorsAtLastLevel
        } else if first.seconds.value > settings.budgetSeconds {
            plan.outcome = .overBudget
        } else {
            plan.outcome = .survivorsAtLastLevel
            var secondsPerChild = first.seconds.value / max(1, first.children.value)
            for level in 1...max(1, finalLevel) where level <= finalLevel {
                let next = level < finalLevel ? Population(slots: settings.samplesPerLevel, deltas: .relaxed, seed: seeds.next()) : nil
                let estimate = try childLevel(level, problems[level], parents: population!, next: next,
                                              spent: plan.estimatedSeconds, secondsPerChild: &secondsPerChild,
                                              seeds: &seeds)
                plan.levels.append(estimate)
                events(.levelPlanned(n: n, m: m, estimate))
                if !estimate.complete || plan.estimatedSeconds > settings.budgetSeconds {
                    plan.outcome = .overBudget
                    break
                }
                if estimate.survivors.value == 0 {
                    plan.outcome = .withinBudget
                    break
                }
                population = next
            }
        }
        plan.planningSeconds = (clock.now - started).seconds
        events(.candidateFinished(plan))
        return plan
    }

    // MARK: Level 0

    /// A level 0 estimated to take longer (or longer than 1/50 of the budget) is sampled, not run.
    public static let exactLevelZeroSeconds = 5.0

    /// Level 0: timed on 16 random rank ranges (one per sixteenth of the ranks) when it is
    /// large; run exactly, its survivors into `population`, unless that estimate is over budget.
    private func firstLevel(_ problem: Problem, into population: Population?, seeds: inout SplitMix64) throws -> LevelPlan {
        let cutoffs = ProveCutoffs(problem: problem, target: settings.target)
        let count = Compositions.count(parts: problem.d, sum: problem.S)
        var plan = LevelPlan(level: 0, d: problem.d, parents: .exact(0), children: .exact(0), survivors: .exact(0),
                             seconds: .measured(0), sampled: 0, exact: false)
        guard let total = count.exactly(UInt64.self) else {
            // 2^64 compositions or more: not a level 0 the cascade can run.
            plan.children = Estimate(value: .infinity, low: .infinity, high: .infinity, exact: nil)
            plan.seconds = plan.children
            plan.survivors = plan.children
            return plan
        }
        plan.children = .exact(UInt128(total))
        plan.parents = plan.children
        let piece: UInt64 = 1 << 18
        if total > 64 * piece {
            var random = SplitMix64(seed: seeds.next())
            var seconds: [Double] = [], survivors: [Double] = []
            var kept: [(parent: [Int], weight: Double)] = []
            for block in RankRange(0, total).split(into: 16) {
                let lower = block.lower + random.next() % (block.count - piece + 1)
                let scale = Double(block.count) / Double(piece)
                let t0 = clock.now
                let counts = try engine.prove(Job(problem: problem, range: RankRange(lower, lower + piece)), cutoffs: cutoffs,
                                              survivors: population == nil ? nil : { batch in
                                                  for s in batch { kept.append((s.composition, scale)) }
                                              }, progress: nil)
                seconds.append(scale * (clock.now - t0).seconds)
                survivors.append(scale * Double(counts.survivors))
            }
            plan.sampled = 16
            plan.seconds = Planner.sum(seconds)
            plan.survivors = Planner.sum(survivors)
            if plan.seconds.value > settings.budgetSeconds { return plan }
            // A level 0 that takes a while is not run here: its sampled survivors, weighted,
            // stand for all of them (the proof run will do it exactly).
            // No sampled survivor is no evidence that there are none (they cluster in few ranks):
            // then level 0 is run.
            if plan.seconds.value > min(Planner.exactLevelZeroSeconds, settings.budgetSeconds / 50) && plan.survivors.value > 0 {
                if let population { for (parent, weight) in kept { try population.add(parent, weight: weight) } }
                return plan
            }
        }
        let t0 = clock.now
        let counts = try engine.prove(Job(problem: problem, range: RankRange(0, total)), cutoffs: cutoffs,
                                      survivors: population.map { population in
                                          { batch in for s in batch { try population.add(s.composition, weight: 1) } }
                                      }, progress: nil)
        plan.seconds = .measured((clock.now - t0).seconds)
        plan.survivors = .exact(UInt128(counts.survivors))
        plan.sampled = 0
        plan.exact = true
        return plan
    }

    /// Sum of per-stratum scaled values with a ±2σ interval from their spread (16 equal blocks).
    private static func sum(_ values: [Double]) -> Estimate {
        let k = Double(values.count), mean = values.reduce(0, +) / k
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / max(1, k - 1)
        // Each block is one draw: the total's variance is k·variance.
        let sd = (k * variance).squareRoot(), total = mean * k
        return Estimate(value: total, low: max(0, total - 2 * sd), high: total + 2 * sd, exact: nil)
    }

    // MARK: Levels ≥ 1

    private struct Draws {
        let stratum: Population.Stratum
        /// Distinct units to expand, with how many draws each stands for.
        var units: [(unit: Population.Unit, multiplicity: Int)]
        /// Weight of one draw's results in the level's totals (the ratio estimator's factor), or
        /// nil when the stratum is enumerated (each unit then counts with its own weight).
        let scale: Double?
        let draws: Int
    }

    /// Estimates one child level from a sample of `parents`; the sampled parents' survivors,
    /// weighted, go into `next`. Incomplete (`complete` false) when the estimate passed the
    /// budget before the sample was done (the candidate is then over budget).
    private func childLevel(_ level: Int, _ problem: Problem, parents: Population, next: Population?, spent: Double,
                            secondsPerChild: inout Double, seeds: inout SplitMix64) throws -> LevelPlan {
        let cutoffs = ProveCutoffs(problem: problem, target: settings.target)
        let strata = parents.strata.keys.sorted().map { parents.strata[$0]! }
        let enumerateAll = parents.distinct <= settings.samplesPerLevel
        let totalChildren = parents.totalChildren

        // Allocation: ∝ children, at least one draw per stratum.
        var plans: [Draws] = []
        for stratum in strata {
            let share = Double(settings.samplesPerLevel) * stratum.weightedChildren / max(totalChildren, 1)
            let k = max(1, min(settings.samplesPerLevel, Int(share.rounded())))
            if enumerateAll || (stratum.all != nil && stratum.distinct <= k) {
                plans.append(Draws(stratum: stratum, units: stratum.all!.map { ($0, 1) }, scale: nil, draws: stratum.distinct))
            } else {
                var units: [(unit: Population.Unit, multiplicity: Int)] = []
                for unit in stratum.draws.prefix(k).compactMap({ $0 }) {
                    if let i = units.firstIndex(where: { $0.unit.parent == unit.parent }) { units[i].multiplicity += 1 } else { units.append((unit, 1)) }
                }
                let sampledChildren = units.reduce(0.0) { $0 + Double($1.multiplicity) * Double($1.unit.children) }
                plans.append(Draws(stratum: stratum, units: units, scale: stratum.weightedChildren / sampledChildren, draws: k))
            }
        }
        // The costliest strata first, so that an early stop rests on measured strata.
        let order = plans.indices.sorted { plans[$0].stratum.weightedChildren > plans[$1].stratum.weightedChildren }

        var children = 0.0, seconds = 0.0, survivors = 0.0
        var varSeconds = 0.0, varSurvivors = 0.0
        var exactSurvivors: UInt128? = parents.unitWeights && enumerateAll ? 0 : nil
        var measuredSeconds = 0.0, measuredChildren = 0.0, expanded = 0
        let previousRate = secondsPerChild
        var pendingChildren = totalChildren
        let parentsEstimate: Estimate = parents.unitWeights ? .exact(parents.exactCount)
            : Estimate(value: parents.totalWeight, low: parents.totalWeight, high: parents.totalWeight, exact: nil)
        let childrenEstimate: Estimate = parents.unitWeights ? .exact(parents.exactChildren)
            : Estimate(value: totalChildren, low: totalChildren, high: totalChildren, exact: nil)
        /// The level so far, with the strata not yet measured at the measured rate.
        func stopped(pending: Double) -> LevelPlan {
            let rest = secondsPerChild * max(0, pending)
            return LevelPlan(level: level, d: problem.d, parents: parentsEstimate, children: childrenEstimate,
                             survivors: Estimate(value: survivors, low: survivors, high: .infinity, exact: nil),
                             seconds: Estimate(value: seconds + rest, low: seconds + rest, high: .infinity, exact: nil),
                             sampled: expanded, exact: false, complete: false)
        }
        for index in order {
            let plan = plans[index]
            var ys: [(x: Double, seconds: Double, survivors: Double, multiplicity: Int)] = []
            for (unit, multiplicity) in plan.units {
                // A parent predicted far over the budget (at this level's measured rate, or before
                // the first one at the previous level's with a wide margin) is not expanded.
                let predicted = secondsPerChild * Double(unit.children) * unit.weight
                if predicted > (expanded > 0 ? 10 : 100) * settings.budgetSeconds { return stopped(pending: pendingChildren) }
                let weight = (plan.scale ?? unit.weight) * Double(multiplicity)
                let t0 = clock.now
                // A parent that alone, at its weight, would pass the budget is stopped there, and
                // no parent gets more than a tenth of it (planning must stay well inside the budget).
                let allowance = settings.budgetSeconds / max(10, weight)
                let deadline = t0 + .milliseconds(Int64(min(allowance, 1e9) * 1000))
                let counts: ChildCounts
                do {
                    counts = try engine.expand(
                        ChildJob(problem: problem, cutoffs: cutoffs, deltas: .relaxed, parents: [unit.parent]),
                        survivors: { batch in
                            if let next { for child in batch { try next.add(child, weight: weight) } }
                        }, stop: { ContinuousClock.now > deadline }, progress: nil)
                } catch is BatchStopped {
                    expanded += 1
                    seconds += allowance * weight
                    return stopped(pending: pendingChildren)
                }
                let elapsed = (clock.now - t0).seconds
                expanded += 1
                measuredSeconds += elapsed
                measuredChildren += Double(counts.children)
                secondsPerChild = measuredChildren > 0 ? measuredSeconds / measuredChildren : previousRate
                if exactSurvivors != nil { exactSurvivors! += counts.survivors }
                ys.append((Double(unit.children), elapsed, Double(counts.survivors), multiplicity))
                // Within a stratum too: a few slow parents must not hold the candidate for long.
                let running = spent + seconds + secondsPerChild * max(0, pendingChildren)
                if running > 3 * settings.budgetSeconds || running > settings.budgetSeconds && expanded >= 4 {
                    return stopped(pending: pendingChildren)
                }
                if plan.scale == nil {
                    seconds += unit.weight * elapsed
                    survivors += unit.weight * Double(counts.survivors)
                    children += unit.weight * Double(unit.children)
                }
            }
            pendingChildren -= plan.stratum.weightedChildren
            if let scale = plan.scale {
                let draws = ys.flatMap { Array(repeating: $0, count: $0.multiplicity) }
                let sx = draws.reduce(0) { $0 + $1.x }
                let rS = draws.reduce(0) { $0 + $1.seconds } / sx, rV = draws.reduce(0) { $0 + $1.survivors } / sx
                seconds += scale * sx * rS
                survivors += scale * sx * rV
                children += plan.stratum.weightedChildren
                varSeconds += Planner.ratioVariance(draws.map { ($0.x, $0.seconds) }, ratio: rS, total: plan.stratum.weightedChildren)
                varSurvivors += Planner.ratioVariance(draws.map { ($0.x, $0.survivors) }, ratio: rV, total: plan.stratum.weightedChildren)
            }
            // Stop once the level alone, with unmeasured strata at the measured rate, passes the budget.
            let running = spent + seconds + secondsPerChild * max(0, pendingChildren)
            if running > settings.budgetSeconds && expanded >= 4 || running > 3 * settings.budgetSeconds {
                return stopped(pending: pendingChildren)
            }
        }
        let sdS = varSeconds.squareRoot(), sdV = varSurvivors.squareRoot()
        let survivorsEstimate: Estimate = exactSurvivors.map { .exact($0) }
            ?? Estimate(value: survivors, low: max(0, survivors - 2 * sdV), high: survivors + 2 * sdV, exact: nil)
        return LevelPlan(level: level, d: problem.d, parents: parentsEstimate, children: childrenEstimate,
                         survivors: survivorsEstimate,
                         seconds: Estimate(value: seconds, low: max(0, seconds - 2 * sdS), high: seconds + 2 * sdS, exact: nil),
                         sampled: expanded, exact: exactSurvivors != nil)
    }

    /// Variance of a stratum's ratio estimate X·ȳ/x̄ from k draws (x, y): X²·s_e²/(k·x̄²) with
    /// residuals e = y − r·x; one draw alone gives no spread and is taken as ±100%.
    private static func ratioVariance(_ draws: [(x: Double, y: Double)], ratio: Double, total: Double) -> Double {
        let k = Double(draws.count)
        let estimate = ratio * total
        guard k >= 2 else { return estimate * estimate }
        let meanX = draws.reduce(0) { $0 + $1.x } / k
        let residuals = draws.reduce(0) { $0 + ($1.y - ratio * $1.x) * ($1.y - ratio * $1.x) } / (k - 1)
        return total * total * residuals / (k * meanX * meanX)
    }
}
