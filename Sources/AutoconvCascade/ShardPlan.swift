#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import AutoconvCore

/// How a level is split over shards: `RUN/level-L.shards`, written once, by the first shard
/// process of the level, and read by every later one (sealed):
///
///     autoconv-cascade-shards 1
///     identity HEX      `RunDirectory.shardIdentity`: the run's parameters and the level's parents
///     level L
///     shards M          shard r covers [⌊N·r/M⌋, ⌊N·(r+1)/M⌋) of the level (`RankRange.piece`)
///     space N           the level's ranks (level 0) or parents
///
/// So the split is deterministic and recorded: a shard process with another M, or a plan left
/// by another run or level, is refused by name instead of covering the level twice or not at all.
public struct ShardPlan: Equatable, Sendable {
    public let identity: String
    public let level: Int
    public let count: Int
    public let space: UInt64

    static let header = "autoconv-cascade-shards 1"

    static func path(in run: String, level: Int) -> String { "\(run)/level-\(level).shards" }

    /// Shard r's part of the level.
    func range(_ index: Int) -> Range<UInt64> {
        let piece = RankRange(0, space).piece(index, of: count)
        return piece.lower..<piece.upper
    }

    var text: String {
        SealedText.seal("\(Self.header)\nidentity \(identity)\nlevel \(level)\nshards \(count)\nspace \(space)\n")
    }

    /// The plan in `run` for `level`, nil when there is none; a damaged one is a `badInput`.
    static func read(run: String, level: Int) throws -> ShardPlan? {
        let file = path(in: run, level: level)
        guard let bytes = try AtomicFile.readBytes(file) else { return nil }
        let values = SealedText.unseal(bytes).map(RunDirectory.parse) ?? [:]
        guard let identity = values["identity"], let level = values["level"].flatMap({ Int($0) }),
              let count = values["shards"].flatMap({ Int($0) }), count >= 1, let space = values["space"].flatMap({ UInt64($0) }) else {
            throw CoreError.badInput("shard plan '\(file)' is damaged (its sha256 line is missing or does not match, or a line is malformed)")
        }
        let plan = ShardPlan(identity: identity, level: level, count: count, space: space)
        guard plan.text == String(decoding: bytes, as: UTF8.self) else {
            throw CoreError.badInput("shard plan '\(file)' is not written as autoconv writes it")
        }
        return plan
    }

    /// Writes `plan` unless a plan exists already, atomically however many shard processes
    /// start at once (a private temporary file, then `link`, which never replaces); returns the
    /// plan now on disk, which is another process's when it was first.
    static func establish(_ plan: ShardPlan, in run: String) throws -> ShardPlan {
        let file = path(in: run, level: plan.level)
        if let existing = try read(run: run, level: plan.level) { return existing }
        // Shard processes on several nodes of a shared file system may share a PID, not a host.
        var host = [CChar](repeating: 0, count: 256)
        gethostname(&host, host.count - 1)
        let name = String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let temporary = "\(file).\(name).\(getpid()).tmp"
        try AtomicFile.write(plan.text, to: temporary)
        let linked = link(temporary, file) == 0 || errno == EEXIST
        let reason = String(cString: strerror(errno))
        AtomicFile.remove(temporary)
        guard linked else { throw CoreError.failure("cannot write '\(file)': \(reason)") }
        AtomicFile.syncDirectory(of: file)
        return try read(run: run, level: plan.level)!
    }
}
