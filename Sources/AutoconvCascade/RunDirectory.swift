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
///     manifest            parameters and binary version, written once (sealed)
///     settings            how the run runs (backend, device, threads, …), not what it computes (sealed)
///     certificate         once the run has ended: hashes of every result file (sealed, `RunCertificate`)
///     state               progress, replaced atomically after every finished batch (sealed, `CascadeState`)
///     lock                held (flock) by the process working on the run (`RunLock`)
///     level-K.surv        the distinct survivors of level K, sorted (SurvivorFormat)
///     level-K.ledger      one line per finished batch of level K (`Ledger`)
///     level-K.run-N.surv  sorted runs of the level in progress, listed in `state`
///     level-K.shards      the split of level K over shards, and level-K.shard-r-of-M/ each shard (`ShardDirectory`)
///
/// The text files are "key value" lines ending in a `sha256` line (`SealedText`). Opening a run
/// checks every seal and cross-checks the state against the ledgers and the survivor files
/// (`checkConsistency`); anything that does not fit is a one-line `badInput`, never a result.
/// Only then are files not listed in `state` (a run written just before a kill) deleted, so the
/// directory matches its last checkpoint.
public final class RunDirectory {
    public let path: String
    /// The run's parameters; only `extend` changes them (to a deeper final level).
    public private(set) var parameters: CascadeParameters
    /// The problem of every level.
    private(set) var problems: [Problem]
    var state: CascadeState
    /// The ledger of the level in progress; nil once the run has ended.
    var ledger: Ledger?
    /// The run's settings, as `saveSettings` last wrote them (empty if it never did).
    public private(set) var settings: [String: String] = [:]
    /// Opened for shard processes (`init(sharingWithShards:)`): locked shared, never written.
    public let isShared: Bool
    private let lock: RunLock

    static let manifestHeader = "autoconv-cascade-run 2"
    static let settingsHeader = "autoconv-cascade-settings 1"

    /// Opens an existing run (then `parameters`, if given, must match it) or creates one in a
    /// new or empty directory (then `parameters` is required). Either way the directory is
    /// locked for the life of this object. A path that is not a directory, a run of another
    /// binary or other parameters, or a damaged or inconsistent run is a one-line `badInput`;
    /// a directory this call created is removed again when it fails.
    public convenience init(path: String, parameters: CascadeParameters?, binaryVersion: String) throws {
        try self.init(path: path, parameters: parameters, binaryVersion: binaryVersion, shared: false)
    }

    /// Opens an existing run for a shard process: locked shared (other shards may hold it too,
    /// a process that merges or runs a level whole may not), checked like any open, and never
    /// written; the shard keeps everything it writes in its own directory (`ShardDirectory`).
    public convenience init(sharingWithShards path: String, binaryVersion: String) throws {
        guard AtomicFile.isDirectory(path), AtomicFile.exists(path + "/manifest") else {
            throw CoreError.badInput("'\(path)' is not a cascade run directory (\(AtomicFile.exists(path) ? "no manifest" : "it does not exist"))")
        }
        try self.init(path: path, parameters: nil, binaryVersion: binaryVersion, shared: true)
    }

    private init(path: String, parameters: CascadeParameters?, binaryVersion: String, shared: Bool) throws {
        self.path = path
        isShared = shared
        let exists = AtomicFile.exists(path)
        guard !exists || AtomicFile.isDirectory(path) else {
            throw CoreError.badInput("'\(path)' exists and is not a directory")
        }
        if exists && AtomicFile.exists(path + "/manifest") {
            lock = try RunLock(directory: path, shared: shared)
            let stored = try RunDirectory.readManifest(path: path, binaryVersion: binaryVersion)
            if let parameters, parameters != stored {
                throw CoreError.badInput("run directory '\(path)' holds a run with different parameters (\(RunDirectory.describe(stored))): use another --dir, or --resume it")
            }
            self.parameters = stored
            problems = try stored.problems()
            let stateBytes = try AtomicFile.readBytes(path + "/state") ?? []
            do {
                state = try CascadeState(bytes: stateBytes)
            } catch {
                throw CoreError.badInput("run directory '\(path)': the state file '\(path)/state' is invalid: \(error.reason)")
            }
            settings = try RunDirectory.readSettings(path: path)
            ledger = try checkConsistency()
            // An extension that wrote its manifest but not yet its state (`extend`) is finished.
            let extending = state.outcome == .notProven && state.finished.count < problems.count
            guard !shared else {
                if extending { throw CoreError.badInput("run directory '\(path)' is being extended: resume it once without --shard first") }
                return
            }
            if extending { try openNextLevel() }
            removeStrayFiles()
        } else {
            guard let parameters else {
                throw CoreError.badInput("'\(path)' is not a cascade run directory (\(exists ? "no manifest" : "it does not exist"))")
            }
            self.parameters = parameters
            problems = try parameters.problems()
            state = CascadeState(firstD: problems[0].d)
            if !exists {
                guard mkdir(path, 0o755) == 0 else {
                    throw CoreError.badInput("cannot create run directory '\(path)': \(String(cString: strerror(errno)))")
                }
            }
            // Checked before locking, so that a foreign directory never gets a `lock` file.
            guard !AtomicFile.list(path).contains(where: { $0 != "lock" }) else {
                throw CoreError.badInput("run directory '\(path)' exists and is not empty (and holds no cascade run)")
            }
            do {
                lock = try RunLock(directory: path)
            } catch {
                // Another process holds the lock: its files are not ours to remove.
                if !exists { rmdir(path) }
                throw error
            }
            do {
                guard AtomicFile.list(path) == ["lock"] else {
                    throw CoreError.badInput("run directory '\(path)' was filled by another process meanwhile")
                }
                try AtomicFile.write(RunDirectory.manifestText(parameters, binaryVersion: binaryVersion), to: path + "/manifest")
                ledger = try Ledger.create(path: ledgerFile(0), level: 0)
                try save()
            } catch {
                RunDirectory.removeRun(at: path, keepDirectory: exists)
                throw error
            }
        }
    }

    // MARK: Extending a run

    /// The parameters of this run extended to `finalLevel`, for `cascade --resume` with a deeper
    /// `--levels` or `--max-d`; checks everything before anything is written: the level must be
    /// deeper than the run's own final level, its problems valid (d ≤ 64, S ≤ 46,340), and the
    /// run not proven (checked first: then no limit helps). One-line `badInput` otherwise.
    public func extended(toFinalLevel finalLevel: Int) throws -> CascadeParameters {
        let p = parameters
        guard state.outcome != .proven else {
            throw CoreError.badInput("run directory '\(path)' is proven at d = \(state.finished.last!.d): there is nothing to extend")
        }
        guard finalLevel > p.finalLevel else {
            throw CoreError.badInput("run directory '\(path)' already goes to level \(p.finalLevel) (d = \(problems[p.finalLevel].d)): --levels or --max-d on --resume must be deeper")
        }
        let extended = CascadeParameters(n0: p.n0, m: p.m, target: p.target, rule: p.rule, windows: p.windows,
                                         family: p.family, finalLevel: finalLevel)
        _ = try extended.problems()
        return extended
    }

    /// Extends the run to `extended` (from `extended(toFinalLevel:)`): the manifest first,
    /// then, for a run that had ended not proven at its old final level, the state that opens
    /// the next level, exactly as `Cascade` opens a level after one that is not the last. So
    /// the extended run's files are those of a run that had the deeper limit from the start,
    /// and `verify` checks it as one. A crash between the two writes leaves a run that ended
    /// below its final level, which the next open finishes extending (`init`).
    public func extend(to extended: CascadeParameters, binaryVersion: String) throws {
        precondition(extended.finalLevel > parameters.finalLevel && state.outcome != .proven)
        let extendedProblems = try extended.problems()
        // The run goes on: what it vouched for at its old end is no longer its result.
        AtomicFile.remove(path + "/" + RunCertificate.name)
        AtomicFile.syncDirectory(of: path + "/" + RunCertificate.name)
        try AtomicFile.write(RunDirectory.manifestText(extended, binaryVersion: binaryVersion), to: path + "/manifest")
        parameters = extended
        problems = extendedProblems
        if state.outcome == .notProven { try openNextLevel() }
    }

    /// Opens the level after the last finished one, as `Cascade.finishLevel` does for a level
    /// that is not the last: its empty ledger first, then the state that names it.
    private func openNextLevel() throws {
        let next = state.finished.count
        ledger = try Ledger.create(path: ledgerFile(next), level: next)
        state.outcome = .running
        state.ledgers.append(Ledger.Mark(level: next))
        state.level = next
        state.current = LevelSummary(level: next, d: problems[next].d)
        state.position = 0
        state.runs = []
        state.nextRun = 0
        try save()
    }

    /// The summaries of the finished levels, in order.
    public var finishedLevels: [LevelSummary] { state.finished }

    func save() throws {
        precondition(!isShared, "a run opened for shards is never written")
        try AtomicFile.write(state.text, to: path + "/state")
    }

    public func levelFile(_ level: Int) -> String { "\(path)/level-\(level).surv" }
    func ledgerFile(_ level: Int) -> String { "\(path)/level-\(level).ledger" }
    func runPrefix(_ level: Int) -> String { "level-\(level).run" }

    /// The header every survivor file (and sorted run) of `level` carries.
    func survivorHeader(_ level: Int) -> SurvivorFormat.Header {
        .init(problem: problems[level], target: parameters.target, level: level)
    }

    /// Replaces the settings file with `pairs` (keys without spaces, values on one line).
    public func saveSettings(_ pairs: [(key: String, value: String)]) throws {
        for (key, value) in pairs {
            precondition(!key.isEmpty && !key.contains(" ") && !key.contains("\n") && !value.contains("\n"), "setting '\(key)'")
        }
        let lines = [RunDirectory.settingsHeader] + pairs.map { "\($0.key) \($0.value)" }
        try AtomicFile.write(SealedText.seal(lines.joined(separator: "\n") + "\n"), to: path + "/settings")
        settings = Dictionary(pairs.map { ($0.key, $0.value) }, uniquingKeysWith: { $1 })
    }

    /// Deletes the files a run directory holds (and nothing else), then, unless `keepDirectory`,
    /// the directory if that leaves it empty: for a run that failed before it was worth keeping.
    public static func removeRun(at path: String, keepDirectory: Bool = false) {
        for name in AtomicFile.list(path) where isRunFileName(name) {
            AtomicFile.remove(path + "/" + name)
        }
        if !keepDirectory { rmdir(path) }
    }

    private static func isRunFileName(_ name: String) -> Bool {
        ["manifest", "settings", "state", "lock", RunCertificate.name].contains(name) || name.hasSuffix(".tmp")
            || (name.hasPrefix("level-") && (name.hasSuffix(".surv") || name.hasSuffix(".ledger")))
    }

    /// Deletes temporary files and runs that the state does not list, and the survivor files
    /// that shards of finished levels kept (`Cascade.finishLevel` deletes them; a crash may not
    /// have let it).
    private func removeStrayFiles() {
        let listed = Set(state.runs)
        for name in AtomicFile.list(path) {
            let stray = name.hasSuffix(".tmp") || (name.contains(".run-") && !listed.contains(name))
            if stray { AtomicFile.remove(path + "/" + name) }
        }
        for level in state.finished.indices { removeShardSurvivors(level) }
    }

    // MARK: Manifest and settings

    static func manifestText(_ parameters: CascadeParameters, binaryVersion: String) -> String {
        let lines = [manifestHeader, "binary \(binaryVersion)"] + parameters.manifestLines.map { "\($0.0) \($0.1)" }
        return SealedText.seal(lines.joined(separator: "\n") + "\n")
    }

    /// The parameters of the manifest, which must be sealed, of this binary, and written
    /// exactly as `manifestText` writes them.
    private static func readManifest(path: String, binaryVersion: String) throws -> CascadeParameters {
        let file = path + "/manifest"
        let bytes = try AtomicFile.readBytes(file) ?? []
        guard !bytes.starts(with: Array("autoconv-cascade-run 1\n".utf8)) else {
            throw CoreError.badInput("run directory '\(path)' is of cascade format 1, which has no checksums or ledgers: start a new run")
        }
        guard let body = SealedText.unseal(bytes) else {
            throw CoreError.badInput("run directory '\(path)': the manifest '\(file)' is damaged (its sha256 line is missing or does not match)")
        }
        let values = parse(body)
        guard body.hasPrefix(manifestHeader + "\n") else {
            throw CoreError.badInput("run directory '\(path)': '\(file)' is not a cascade manifest of this format (\(manifestHeader))")
        }
        guard values["binary"] == binaryVersion else {
            throw CoreError.badInput("run directory '\(path)' was written by \(values["binary"] ?? "an unknown binary"), not \(binaryVersion): start a new run")
        }
        guard let stored = CascadeParameters(manifest: values),
              manifestText(stored, binaryVersion: binaryVersion) == String(decoding: bytes, as: UTF8.self) else {
            throw CoreError.badInput("run directory '\(path)': the manifest '\(file)' is unreadable")
        }
        return stored
    }

    private static func readSettings(path: String) throws -> [String: String] {
        let file = path + "/settings"
        guard let bytes = try AtomicFile.readBytes(file) else { return [:] }
        guard let body = SealedText.unseal(bytes), body.hasPrefix(settingsHeader + "\n") else {
            throw CoreError.badInput("run directory '\(path)': the settings file '\(file)' is damaged (its sha256 line is missing or does not match)")
        }
        return parse(body)
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

extension RunDirectory: LevelBook {
    var level: Int { state.level }
    var runsDirectory: String { path }
    var runsPrefix: String { runPrefix(state.level) }
    var header: SurvivorFormat.Header { survivorHeader(state.level) }
    var first: UInt64 { 0 }
    /// All ranks at level 0, all parents (the previous level's survivors) after it.
    var end: UInt64 { space(of: state.level) }

    /// The ranks (level 0) or parents (level ≥ 1) of `level`; opening the run checked they fit.
    func space(of level: Int) -> UInt64 {
        level == 0 ? try! Job(problem: problems[0]).range.count : UInt64(state.finished[level - 1].survivors)
    }

    var progress: LevelProgress {
        get { LevelProgress(position: state.position, current: state.current, runs: state.runs, nextRun: state.nextRun) }
        set { (state.position, state.current, state.runs, state.nextRun) = (newValue.position, newValue.current, newValue.runs, newValue.nextRun) }
    }

    func saveProgress() throws {
        state.ledgers[state.level] = ledger!.mark
        try save()
    }
}
