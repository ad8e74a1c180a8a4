import AutoconvCertificates
import AutoconvCore

/// `ChildSearchStats` as JSON (docs/json.md, "stats"): each per-depth row as an array indexed by
/// depth (pair 0 first) and the sweep totals, all decimal-string counts.
enum StatsJSON {
    static func object(_ stats: ChildSearchStats) -> JSON {
        var fields: [(String, JSON)] = [("depths", .int(Int64(stats.pairs)))]
        for kind in ChildSearchStats.Kind.allCases {
            fields.append((kind.key, .array((0..<stats.pairs).map { JSON.count(stats[kind, $0]) })))
        }
        for total in ChildSearchStats.Total.allCases { fields.append((total.key, JSON.count(stats[total]))) }
        return .object(fields)
    }

    /// A table for stderr: one line per depth, then the sweep totals.
    static func text(_ stats: ChildSearchStats, title: String) -> String {
        let kinds = ChildSearchStats.Kind.allCases
        var lines = ["\(title): depth " + kinds.map(\.key).joined(separator: " ")]
        for i in 0..<stats.pairs { lines.append("  \(i) " + kinds.map { String(stats[$0, i]) }.joined(separator: " ")) }
        lines.append("  " + ChildSearchStats.Total.allCases.map { "\($0.key) \(stats[$0])" }.joined(separator: "  "))
        return lines.joined(separator: "\n")
    }
}
