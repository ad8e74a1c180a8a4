import AutoconvCore

/// The text files of a cascade run directory (`manifest` and `state`, sealed "key value" lines,
/// as AutoconvCascade's `RunDirectory` writes them), read by the checker's own small parser. Only
/// what the checker needs is kept. A missing, unsealed or malformed file is a `Verifier.Rejection`:
/// a run directory that was damaged or edited is NOT VERIFIED, not bad input.
struct CascadeRunFiles {
    static let manifestHeader = "autoconv-cascade-run 2"
    static let formatOneHeader = "autoconv-cascade-run 1"

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
    /// The level in progress and its position (for messages about an unfinished run).
    let level: Int
    let position: String
    /// The finished levels in order, as the state claims them.
    let finished: [(level: Int, d: Int, counts: LedgerCounts)]
    /// The state's `finished …` lines as written, which the certificate repeats.
    let finishedLines: [String]
    /// The state's `ledger LEVEL ENTRIES LINK` lines, in order.
    let ledgers: [(level: Int, entries: Int, link: String)]

    /// Whether `directory` holds a cascade run (a `state` or `manifest` file) rather than a
    /// prove certificate (`manifest.json`).
    static func isRunDirectory(_ directory: String) -> Bool {
        RegularFile.exists(directory + "/state") || RegularFile.exists(directory + "/manifest")
    }

    static func read(directory: String) throws(Verifier.Rejection) -> CascadeRunFiles {
        func sealed(_ name: String) throws(Verifier.Rejection) -> String {
            let path = directory + "/" + name
            guard let body = SealedText.unseal(try RegularFile.read(path)) else {
                throw Verifier.Rejection(reason: "'\(path)' is damaged or was edited: its sha256 line is missing or does not match")
            }
            return body
        }
        let manifestPath = directory + "/manifest"
        if let bytes = try? RegularFile.read(manifestPath), bytes.starts(with: Array((formatOneHeader + "\n").utf8)) {
            throw Verifier.Rejection(reason: "'\(directory)' is a run of cascade format 1, which has no checksums or ledgers to check: rerun it with this version")
        }
        let manifest = try sealed("manifest")
        guard manifest.hasPrefix(manifestHeader + "\n") else {
            throw Verifier.Rejection(reason: "'\(manifestPath)' is not a cascade manifest of this format (\(manifestHeader))")
        }
        var values: [String: String] = [:]
        for line in manifest.split(separator: "\n").dropFirst() {
            let parts = line.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, values.updateValue(String(parts[1]), forKey: String(parts[0])) == nil else {
                throw Verifier.Rejection(reason: "'\(manifestPath)' has a malformed line '\(line)'")
            }
        }
        guard let n0 = values["n0"].flatMap({ Int($0) }), let m = values["m"].flatMap({ Int($0) }),
              let target = values["target"], let rule = values["rule"], let maxWindow = values["max-window"],
              let family = values["children"], let finalLevel = values["final-level"].flatMap({ Int($0) }) else {
            throw Verifier.Rejection(reason: "'\(manifestPath)' lacks a parameter")
        }

        let statePath = directory + "/state"
        func malformed(_ line: Substring) -> Verifier.Rejection {
            Verifier.Rejection(reason: "'\(statePath)' has a malformed line '\(line)'")
        }
        var single: [String: String] = [:]
        var finished: [(level: Int, d: Int, counts: LedgerCounts)] = []
        var finishedLines: [String] = []
        var ledgers: [(level: Int, entries: Int, link: String)] = []
        for line in try sealed("state").split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: false)
            switch fields[0] {
            case "finished":
                // finished LEVEL D PARENTS PATTERNS PATTERNS-PRUNED CHILDREN ASYM TEST SURVIVORS CANONICAL SECONDS BYTES
                guard fields.count == 13, let level = Int(fields[1]), let d = Int(fields[2]),
                      let counts = LedgerCounts(fields[3...9]) else { throw malformed(line) }
                finished.append((level, d, counts))
                finishedLines.append(String(line))
            case "ledger":
                guard fields.count == 4, let level = Int(fields[1]), let entries = Int(fields[2]), entries >= 0,
                      SealedText.isDigest(fields[3]) else { throw malformed(line) }
                ledgers.append((level, entries, String(fields[3])))
            default:
                guard single.updateValue(fields.dropFirst().joined(separator: " "), forKey: String(fields[0])) == nil else {
                    throw malformed(line)
                }
            }
        }
        guard let outcome = single["outcome"], ["running", "proven", "not-proven"].contains(outcome),
              let level = single["level"].flatMap({ Int($0) }), let position = single["position"] else {
            throw Verifier.Rejection(reason: "'\(statePath)' lacks its outcome, level or position")
        }
        return CascadeRunFiles(n0: n0, m: m, target: target, rule: rule, maxWindow: maxWindow, family: family,
                               finalLevel: finalLevel, outcome: outcome, level: level, position: position,
                               finished: finished, finishedLines: finishedLines, ledgers: ledgers)
    }
}
