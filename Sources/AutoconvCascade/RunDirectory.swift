#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import AutoconvCore

/// A cascade's run directory: everything needed to resume, nothing else.
///
///     manifest            parameters and binary version, written once
///     state               progress, replaced atomically after every finished batch
///     level-K.surv        the distinct survivors of level K, sorted (SurvivorFormat)
///     level-K.run-N.surv  sorted runs of the level in progress, listed in `state`
///
/// Both text files are "key value" lines. A file not listed in `state` (a run written just
/// before a kill) is deleted on open, so the directory always matches its last checkpoint.
public final class RunDirectory {
    public let path: String
    public let parameters: CascadeParameters
    var state: CascadeState

    static let manifestHeader = "autoconv-cascade-run 1"

    /// Opens an existing run (then `parameters`, if given, must match it) or creates one
    /// (then `parameters` is required). A different binary version or parameters, or an
    /// unreadable manifest or state, is a one-line `badInput`.
    public init(path: String, parameters: CascadeParameters?, binaryVersion: String) throws {
        self.path = path
        let manifestPath = path + "/manifest"
        if let text = AtomicFile.read(manifestPath) {
            let manifest = RunDirectory.parse(text)
            guard text.hasPrefix(RunDirectory.manifestHeader), let stored = CascadeParameters(manifest: manifest) else {
                throw CoreError.badInput("run directory '\(path)' has an unreadable manifest")
            }
            guard manifest["binary"] == binaryVersion else {
                throw CoreError.badInput("run directory '\(path)' was written by \(manifest["binary"] ?? "an unknown binary"), not \(binaryVersion): start a new run")
            }
            if let parameters, parameters != stored {
                throw CoreError.badInput("run directory '\(path)' holds a run with different parameters (\(RunDirectory.describe(stored))): use another --dir, or --resume it")
            }
            self.parameters = stored
            guard let stateText = AtomicFile.read(path + "/state"), let state = CascadeState(text: stateText) else {
                throw CoreError.badInput("run directory '\(path)' has an unreadable state file")
            }
            self.state = state
            removeStrayFiles()
        } else {
            guard let parameters else {
                throw CoreError.badInput("'\(path)' is not a cascade run directory (no manifest)")
            }
            if mkdir(path, 0o755) != 0 && errno != EEXIST {
                throw CoreError.badInput("cannot create run directory '\(path)': \(String(cString: strerror(errno)))")
            }
            guard AtomicFile.list(path).isEmpty else {
                throw CoreError.badInput("run directory '\(path)' exists and is not empty (and holds no cascade run)")
            }
            self.parameters = parameters
            state = CascadeState()
            let lines = [RunDirectory.manifestHeader, "binary \(binaryVersion)"]
                + parameters.manifestLines.map { "\($0.0) \($0.1)" }
            try AtomicFile.write(lines.joined(separator: "\n") + "\n", to: manifestPath)
            try save()
        }
    }

    func save() throws {
        try AtomicFile.write(state.text, to: path + "/state")
    }

    public func levelFile(_ level: Int) -> String { "\(path)/level-\(level).surv" }
    func runPrefix(_ level: Int) -> String { "level-\(level).run" }

    /// Deletes temporary files and runs that the state does not list.
    private func removeStrayFiles() {
        let listed = Set(state.runs.map { String($0.split(separator: "/").last!) })
        for name in AtomicFile.list(path) {
            let stray = name.hasSuffix(".tmp") || (name.contains(".run-") && !listed.contains(name))
            if stray { AtomicFile.remove(path + "/" + name) }
        }
    }

    static func parse(_ text: String) -> [String: String] {
        var values: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1)
            if parts.count == 2 { values[String(parts[0])] = String(parts[1]) }
        }
        return values
    }

    static func describe(_ p: CascadeParameters) -> String {
        "n=\(p.n0) m=\(p.m) target=\(p.target) rule=\(p.rule.rawValue) max-window=\(p.windows.rawValue) children=\(p.family.rawValue) levels=\(p.finalLevel)"
    }
}

/// Progress of a run, as saved after every batch.
struct CascadeState {
    enum Outcome: String { case running, proven, notProven = "not-proven" }

    var outcome = Outcome.running
    /// Summaries of the finished levels.
    var finished: [LevelSummary] = []
    /// The level in progress and its counts so far (parents or ranks before `position`).
    var level = 0
    var position: UInt64 = 0
    var current = LevelSummary(level: 0, d: 0)
    var runs: [String] = []
    var nextRun = 0

    init() {}

    var text: String {
        var lines = ["outcome \(outcome.rawValue)", "level \(level)", "position \(position)",
                     "next-run \(nextRun)", "runs \(runs.joined(separator: " "))",
                     "current \(current.fields.joined(separator: " "))"]
        lines += finished.map { "finished \($0.fields.joined(separator: " "))" }
        return lines.joined(separator: "\n") + "\n"
    }

    init?(text: String) {
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: false)
            guard let key = parts.first else { continue }
            let rest = Array(parts.dropFirst())
            switch key {
            case "outcome": guard let o = rest.first.flatMap({ Outcome(rawValue: String($0)) }) else { return nil }; outcome = o
            case "level": guard let v = rest.first.flatMap({ Int($0) }) else { return nil }; level = v
            case "position": guard let v = rest.first.flatMap({ UInt64($0) }) else { return nil }; position = v
            case "next-run": guard let v = rest.first.flatMap({ Int($0) }) else { return nil }; nextRun = v
            case "runs": runs = rest.filter { !$0.isEmpty }.map(String.init)
            case "current": guard let s = LevelSummary(fields: rest) else { return nil }; current = s
            case "finished": guard let s = LevelSummary(fields: rest) else { return nil }; finished.append(s)
            default: return nil
            }
        }
    }
}
