import AutoconvCore
import Foundation

/// Hand edits of a cascade run directory's sealed files (`SealedText`), for tests that play a
/// forger: what they write is correctly sealed and chained, so only the cross-checks between
/// the state, the ledgers and the survivor files can catch it.
public enum RunFiles {
    /// The body lines of the sealed file at `path` (its sha256 line dropped, unchecked).
    public static func lines(_ path: String) throws -> [String] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return text.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("sha256 ") }
    }

    /// Writes `lines` to `path`, sealed.
    public static func writeSealed(_ lines: [String], to path: String) throws {
        try Data(SealedText.seal(lines.map { $0 + "\n" }.joined()).utf8).write(to: URL(fileURLWithPath: path))
    }

    /// Applies `change` to the body lines of a sealed file and seals the result.
    public static func reseal(_ path: String, _ change: (inout [String]) throws -> Void) throws {
        var body = try lines(path)
        try change(&body)
        try writeSealed(body, to: path)
    }

    /// Rewrites the entries of level `level`'s ledger (each the fields after "batch", without
    /// the link) through `change`, re-chains them, and points the state's ledger line at them.
    public static func rewriteLedger(_ dir: String, level: Int, _ change: (inout [[String]]) throws -> Void) throws {
        let path = "\(dir)/level-\(level).ledger"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let lines = text.split(separator: "\n").map(String.init)
        var entries = lines.dropFirst().map { line in Array(line.split(separator: " ").dropFirst().dropLast().map(String.init)) }
        try change(&entries)
        var link = SealedText.link("", lines[0])
        var out = [lines[0]]
        for fields in entries {
            let line = (["batch"] + fields).joined(separator: " ")
            link = SealedText.link(link, line)
            out.append(line + " " + link)
        }
        try Data(out.map { $0 + "\n" }.joined().utf8).write(to: URL(fileURLWithPath: path))
        try reseal("\(dir)/state") { state in
            state = state.map { $0.hasPrefix("ledger \(level) ") ? "ledger \(level) \(entries.count) \(link)" : $0 }
        }
    }

    /// Replaces field `index` (0 is the key) of the state line whose first fields are `prefix`.
    public static func setStateField(_ dir: String, line prefix: String, field index: Int, to value: String) throws {
        try reseal("\(dir)/state") { state in
            state = state.map { line in
                guard line.hasPrefix(prefix + " ") || line == prefix else { return line }
                var fields = line.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
                fields[index] = value
                return fields.joined(separator: " ")
            }
        }
    }
}
