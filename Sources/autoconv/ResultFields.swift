import AutoconvCore
import AutoconvEngines

/// The keys `bound` and `prove --json` write, shared with `merge`, which rebuilds a whole run's
/// result from typed values in exactly the unsharded run's key order.
enum ResultFields {
    /// The fields every result starts with.
    /// `compositions` is the size of the run's space as a decimal (past 2^64 for a cascade's
    /// level 0 of d ≥ 48).
    static func header(command: String, problem: Problem, backend: String, device: String,
                       compositions: String) -> [(String, JSON)] {
        [
            ("schema_version", .int(JSON.schemaVersion)),
            ("command", .string(command)),
            ("n", .int(Int64(problem.n))), ("m", .int(Int64(problem.m))),
            ("d", .int(Int64(problem.d))), ("S", .int(Int64(problem.S))),
            ("rule", .string(problem.rule.rawValue)),
            ("max_window", .string(problem.windows.rawValue)),
            ("backend", .string(backend)),
            ("device", .string(device)),
            ("compositions", .decimal(compositions)),
        ]
    }

    /// `devices` when `engine` is a `DeviceGroup` (nothing for one device, whose `device` says
    /// it all): each member's description, the work it did (ranks searched and children
    /// classified) and its share of the whole, rounded to hundredths in integers.
    static func devices(_ engine: Engine) -> [(String, JSON)] {
        guard let group = engine as? DeviceGroup else { return [] }
        var work = group.work, total = work.reduce(UInt128(0)) { $0 &+ $1 }
        // Shares only: scale down far below 2^128 / 200 so that 200·work cannot overflow
        // (the total cannot wrap either: it is every device's work, far below 2^120).
        while total > UInt128(1) << 100 {
            work = work.map { $0 >> 8 }
            total >>= 8
        }
        return [("devices", .array(zip(group.members, group.work).enumerated().map { m, pair in
            let hundredths = total == 0 ? 0 : (200 * work[m] + total) / (2 * total)
            let share = "\(hundredths / 100).\(hundredths % 100 < 10 ? "0" : "")\(hundredths % 100)"
            return .object([("name", .string(pair.0.deviceDescription)), ("share", .string(share)), ("work", .count(pair.1))])
        }))]
    }

    /// One minimum: its exact value, that value as a double, the minimiser, its heights and
    /// its rank; all null when a shard holds no canonical composition.
    static func minimum(_ keys: MinimumKeys, _ min: Minimum?, m: Int) -> [(String, JSON)] {
        [
            (keys.value, min.map { .string($0.value.description) } ?? .null),
            (keys.double, min.map { .double($0.value.doubleValue) } ?? .null),
            (keys.argmin, min.map { JSON.ints($0.composition) } ?? .null),
            (keys.heights, min.map { .array(heights($0.composition, m: m).map(JSON.string)) } ?? .null),
            (keys.rank, min.map { .count($0.rank) } ?? .null),
        ]
    }
}

/// Where a minimum of `bound` lives in a result file.
///
/// A whole run's minima are b_{n,m} (`min_test`) and the certified bound (`certified_bound`). A
/// shard's minima are only the smallest values among its own ranks, so they go under names that
/// do not read as a bound — `shard_min_test` and `shard_min_certified` (with `_value`,
/// `_argmin`, `_argmin_heights`, `_argmin_rank`) — and only `merge` turns them into the bound.
struct MinimumKeys {
    let value: String
    /// Prepended to `argmin…`.
    let prefix: String

    var double: String { value + "_value" }
    var argmin: String { prefix + "argmin" }
    var heights: String { prefix + "argmin_heights" }
    var rank: String { prefix + "argmin_rank" }

    static let test = MinimumKeys(value: "min_test", prefix: "")
    static let certified = MinimumKeys(value: "certified_bound", prefix: "certified_")
    static let shardTest = MinimumKeys(value: "shard_min_test", prefix: "shard_min_test_")
    static let shardCertified = MinimumKeys(value: "shard_min_certified", prefix: "shard_min_certified_")

    /// The keys of min test(c) and min cert(c) in a whole (`partial` false) or partial result.
    static func of(partial: Bool) -> (test: MinimumKeys, certified: MinimumKeys) {
        partial ? (shardTest, shardCertified) : (test, certified)
    }
}
