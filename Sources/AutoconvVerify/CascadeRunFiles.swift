import AutoconvCore
import FoundationEssentials

/// The text files of a cascade run directory (`manifest` and `state`, "key value" lines, as
/// AutoconvCascade's `RunDirectory` writes them), read by the checker's own small parser.
/// Only what the checker needs is kept; unknown keys are ignored.
struct CascadeRunFiles {
    static let manifestHeader = "autoconv-cascade-run 1"

    let n0: Int
    let m: Int
    /// The target as written, "p/q" or "p".
    let target: String
    let rule: String
    let maxWindow: String
    let family: String
    let finalLevel: Int
    /// "running", "proven" or "not-proven".
    let outcome: String
    /// The finished levels in order: (level, d, survivors).
    let finished: [(level: Int, d: Int, survivors: UInt64)]

    /// Whether `directory` looks like a cascade run (it has a `state` file).
    static func isRunDirectory(_ directory: String) -> Bool {
        FileManager.default.fileExists(atPath: directory + "/state")
    }

    /// Reads both files; a missing or malformed one is a one-line `badInput`.
    static func read(directory: String) throws -> CascadeRunFiles {
        func text(_ name: String) throws -> String {
            guard let data = FileManager.default.contents(atPath: directory + "/" + name),
                  let text = String(data: data, encoding: .utf8) else {
                throw CoreError.badInput("'\(directory)' is not a cascade run directory (no readable \(name))")
            }
            return text
        }
        let manifestText = try text("manifest"), stateText = try text("state")
        guard manifestText.hasPrefix(manifestHeader) else {
            throw CoreError.badInput("run directory '\(directory)' has an unreadable manifest")
        }
        var values: [String: String] = [:]
        for line in manifestText.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1)
            if parts.count == 2 { values[String(parts[0])] = String(parts[1]) }
        }
        guard let n0 = values["n0"].flatMap({ Int($0) }), let m = values["m"].flatMap({ Int($0) }),
              let target = values["target"], let rule = values["rule"], let maxWindow = values["max-window"],
              let family = values["children"], let finalLevel = values["final-level"].flatMap({ Int($0) }) else {
            throw CoreError.badInput("run directory '\(directory)' has an unreadable manifest")
        }
        var outcome: String?
        var finished: [(level: Int, d: Int, survivors: UInt64)] = []
        for line in stateText.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: false)
            if fields.first == "outcome", fields.count == 2 { outcome = String(fields[1]) }
            // finished level d parents patterns patterns-pruned children asym test survivors canonical seconds bytes
            if fields.first == "finished" {
                guard fields.count == 13, let level = Int(fields[1]), let d = Int(fields[2]), let survivors = UInt64(fields[9]) else {
                    throw CoreError.badInput("run directory '\(directory)' has an unreadable state file")
                }
                finished.append((level, d, survivors))
            }
        }
        guard let outcome else { throw CoreError.badInput("run directory '\(directory)' has an unreadable state file") }
        return CascadeRunFiles(n0: n0, m: m, target: target, rule: rule, maxWindow: maxWindow, family: family,
                               finalLevel: finalLevel, outcome: outcome, finished: finished)
    }
}
