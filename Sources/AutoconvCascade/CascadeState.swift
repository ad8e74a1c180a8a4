import AutoconvCore

/// Progress of a run, as saved after every batch: the run directory's `state` file, sealed
/// (`SealedText`), one "key value…" line each:
///
///     outcome running|proven|not-proven
///     level L                   the level in progress (the last level once the run has ended)
///     position P                ranks (level 0) or parents (level ≥ 1) of level L done
///     next-run N                number for the next sorted run's name
///     runs NAME…                the sorted runs of level L so far (`level-L.run-N.surv`)
///     current FIELDS            level L's counts so far (`LevelSummary.fields`)
///     finished FIELDS           one per finished level, in order
///     ledger K ENTRIES LINK     one per level 0 … L: its ledger's length and last link (`Ledger`)
///
/// Parsing here is only syntax (every key present once, every number well formed);
/// `RunDirectory.checkConsistency` checks the values against each other and the files.
struct CascadeState: Equatable {
    enum Outcome: String { case running, proven, notProven = "not-proven" }

    var outcome = Outcome.running
    /// Summaries of the finished levels.
    var finished: [LevelSummary] = []
    /// The level in progress and its counts so far (parents or ranks before `position`).
    var level = 0
    var position: UInt64 = 0
    var current: LevelSummary
    var runs: [String] = []
    var nextRun = 0
    /// Where each level's ledger ends, for levels 0 … `level`.
    var ledgers: [Ledger.Mark] = []

    /// The state of a new run whose level 0 has `d` parts.
    init(firstD d: Int) {
        current = LevelSummary(level: 0, d: d)
        ledgers = [Ledger.Mark(level: 0)]
    }

    var text: String {
        var lines = ["outcome \(outcome.rawValue)", "level \(level)", "position \(position)", "next-run \(nextRun)",
                     (["runs"] + runs).joined(separator: " "), "current \(current.fields.joined(separator: " "))"]
        lines += finished.map { "finished \($0.fields.joined(separator: " "))" }
        lines += ledgers.map { "ledger \($0.level) \($0.entries) \($0.link)" }
        return SealedText.seal(lines.joined(separator: "\n") + "\n")
    }

    /// Parses a sealed state file; the error says what is wrong, for a one-line refusal.
    init(bytes: [UInt8]) throws(StateError) {
        guard let body = SealedText.unseal(bytes) else { throw StateError("its sha256 line is missing or does not match (damaged or edited)") }
        var seen: Set<Substring> = []
        var current: LevelSummary?
        for line in body.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            let parts = line.split(separator: " ", omittingEmptySubsequences: false)
            let key = parts[0], rest = Array(parts.dropFirst())
            guard key == "finished" || key == "ledger" || seen.insert(key).inserted else { throw StateError("'\(key)' appears twice") }
            func number<T: FixedWidthInteger>(_ type: T.Type) throws(StateError) -> T {
                guard rest.count == 1, let value = T(rest[0], radix: 10), String(value) == rest[0] else {
                    throw StateError("malformed line '\(line)'")
                }
                return value
            }
            // Fields must be written exactly as `text` writes them ("+3", "03" or "3.50" are refused).
            func summary() throws(StateError) -> LevelSummary {
                guard let s = LevelSummary(fields: rest), s.fields.elementsEqual(rest, by: { $0 == $1 }) else {
                    throw StateError("malformed line '\(line)'")
                }
                return s
            }
            switch key {
            case "outcome":
                guard rest.count == 1, let o = Outcome(rawValue: String(rest[0])) else { throw StateError("malformed line '\(line)'") }
                outcome = o
            case "level": level = try number(Int.self)
            case "position": position = try number(UInt64.self)
            case "next-run": nextRun = try number(Int.self)
            case "runs":
                guard !rest.contains("") else { throw StateError("malformed line '\(line)'") }
                runs = rest.map(String.init)
            case "current": current = try summary()
            case "finished": finished.append(try summary())
            case "ledger":
                guard let mark = Ledger.Mark(fields: rest) else { throw StateError("malformed line '\(line)'") }
                ledgers.append(mark)
            default:
                throw StateError("unknown line '\(line)'")
            }
        }
        for key in ["outcome", "level", "position", "next-run", "runs", "current"] where !seen.contains(Substring(key)) {
            throw StateError("the '\(key)' line is missing")
        }
        self.current = current!
    }

    struct StateError: Error {
        let reason: String
        init(_ reason: String) { self.reason = reason }
    }
}
