#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import AutoconvCore

/// The record that a level was computed in shards (`cascade --resume RUN --shard r/M`), read by
/// the checker's own parser: the plan `level-K.shards` (sealed: level, shards M, space N) and,
/// per shard r, `level-K.shard-r-of-M/state` (sealed) and `…/ledger` (chained).
///
/// What it checks, for a level with a plan: every shard of the plan is there and done, nothing
/// else is named as a shard of the level, shard r covers exactly [⌊N·r/M⌋, ⌊N·(r+1)/M⌋), its
/// ledger is the one its state counted and tiles its range, and the level's own ledger is the
/// shards' ledgers one after the other. So a removed or altered shard file fails by name, and
/// the level's coverage (checked from its own ledger by `CascadeCoverage`) is the shards'. A
/// level without a plan must have no shard directories.
struct CascadeShardRecords {
    /// Checks the records of `level`; returns M, or 0 for a level computed whole.
    static func check(directory: String, level: Int, space: UInt64, ledger: CascadeLedgerFile) throws(Verifier.Rejection) -> Int {
        let prefix = "level-\(level).shard-"
        let names = entries(of: directory).filter { $0.hasPrefix(prefix) }.sorted()
        let planPath = "\(directory)/level-\(level).shards"
        guard RegularFile.exists(planPath) else {
            if let stray = names.first { throw Verifier.Rejection(reason: "'\(directory)/\(stray)' is a shard of level \(level), which has no shard plan '\(planPath)'") }
            return 0
        }
        let plan = try sealedValues(planPath, header: "autoconv-cascade-shards 1")
        guard plan["level"] == "\(level)", let count = plan["shards"].flatMap({ Int($0) }), count >= 1, plan["space"] == "\(space)" else {
            throw Verifier.Rejection(reason: "shard plan '\(planPath)' is not a plan of level \(level) with \(space) \(level == 0 ? "ranks" : "parents")")
        }
        let expected = (0..<count).map { "\(prefix)\($0)-of-\(count)" }
        if let stray = names.first(where: { !expected.contains($0) }) {
            throw Verifier.Rejection(reason: "'\(directory)/\(stray)' is not one of the \(count) shards that '\(planPath)' names")
        }
        var joined: [CascadeLedgerFile.Entry] = []
        for (index, name) in expected.enumerated() {
            let shardDirectory = "\(directory)/\(name)"
            let statePath = shardDirectory + "/state"
            guard RegularFile.exists(statePath) else {
                throw Verifier.Rejection(reason: "shard \(index)/\(count) of level \(level): '\(statePath)' is missing")
            }
            let state = try sealedValues(statePath, header: "autoconv-cascade-shard 1")
            let piece = RankRange(0, space).piece(index, of: count)
            guard state["level"] == "\(level)", state["shard"] == "\(index) \(count)", state["range"] == "\(piece.lower) \(piece.upper)",
                  state["outcome"] == "done", state["position"] == "\(piece.upper)" else {
                throw Verifier.Rejection(reason: "'\(statePath)' is not the finished shard \(index)/\(count) of level \(level), ranks or parents [\(piece.lower), \(piece.upper))")
            }
            let mark = (state["ledger"] ?? "").split(separator: " ")
            let shardLedger = try CascadeLedgerFile.read(path: shardDirectory + "/ledger", level: level)
            guard mark.count == 3, mark[0] == "\(level)", mark[1] == "\(shardLedger.entries.count)", mark[2] == shardLedger.link else {
                throw Verifier.Rejection(reason: "ledger '\(shardLedger.path)' is not the one '\(statePath)' counted")
            }
            var next = piece.lower
            for entry in shardLedger.entries {
                guard entry.first == next, entry.first < entry.end else {
                    throw Verifier.Rejection(reason: "ledger '\(shardLedger.path)' does not tile [\(piece.lower), \(piece.upper)) in order")
                }
                next = entry.end
            }
            guard next == piece.upper else { throw Verifier.Rejection(reason: "ledger '\(shardLedger.path)' covers [\(piece.lower), \(next)), not [\(piece.lower), \(piece.upper))") }
            joined += shardLedger.entries
        }
        guard joined.count == ledger.entries.count,
              zip(joined, ledger.entries).allSatisfy({ $0.first == $1.first && $0.end == $1.end && $0.counts == $1.counts }) else {
            throw Verifier.Rejection(reason: "ledger '\(ledger.path)' is not the ledgers of its \(count) shards one after the other")
        }
        return count
    }

    /// The "key value" lines of a sealed file with `header` as its first line.
    private static func sealedValues(_ path: String, header: String) throws(Verifier.Rejection) -> [String: String] {
        guard let body = SealedText.unseal(try RegularFile.read(path)), body.hasPrefix(header + "\n") else {
            throw Verifier.Rejection(reason: "'\(path)' is damaged or was edited: its sha256 line is missing or does not match")
        }
        var values: [String: String] = [:]
        for line in body.split(separator: "\n").dropFirst() {
            let parts = line.split(separator: " ", maxSplits: 1)
            guard values.updateValue(parts.count == 2 ? String(parts[1]) : "", forKey: String(parts[0])) == nil else {
                throw Verifier.Rejection(reason: "'\(path)' has the line '\(parts[0])' twice")
            }
        }
        return values
    }

    static func entries(of directory: String) -> [String] {
        guard let handle = opendir(directory) else { return [] }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}
