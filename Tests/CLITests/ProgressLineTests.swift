import Foundation
import Testing
import TestSupport

/// The progress line as a person sees it on a terminal: `script` gives the run a pseudo-terminal,
/// and the transcript is replayed as a screen (\r to column 0, ESC[K clears the rest of the line).
@Suite(.timeLimit(.minutes(2)))
struct ProgressLineTests {
    /// Runs `autoconv arguments` on a pseudo-terminal and returns the raw transcript.
    static func transcript(_ arguments: [String]) throws -> String {
        let binary = try CLIRunner.executable().path
        let command = ([binary] + arguments).map { "'\($0)'" }.joined(separator: " ")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        process.arguments = ["-qec", command, "/dev/null"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// The lines left on screen after replaying `text`.
    static func screen(_ text: String) -> [String] {
        var lines: [[Character]] = [[]]
        var column = 0
        var rest = Substring(text)
        while let c = rest.first {
            if rest.hasPrefix("\u{1B}[K") {
                lines[lines.count - 1].removeSubrange(min(column, lines[lines.count - 1].count)...)
                rest = rest.dropFirst(3)
                continue
            }
            rest = rest.dropFirst()
            switch c {
            case "\r": column = 0
            case "\n", "\r\n": lines.append([]); column = 0
            default:
                if column < lines[lines.count - 1].count { lines[lines.count - 1][column] = c } else { lines[lines.count - 1].append(c) }
                column += 1
            }
        }
        return lines.map { String($0) }.filter { !$0.isEmpty }
    }

    /// A cascade prints level lines while its status line is up: each one starts on a clean
    /// line, and the status line (which shows the elapsed time) is gone when the result prints.
    @Test func statusLineIsClearedBeforeOtherLines() throws {
        let folder = try CLIRunner.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let raw = try Self.transcript(["cascade", "--n", "1", "--m", "12", "--target", "1",
                                       "--dir", folder.appendingPathComponent("run").path])
        #expect(raw.contains("ETA") && raw.contains("elapsed"), "no status line was drawn: \(raw.debugDescription)")
        let screen = Self.screen(raw)
        #expect(!screen.contains { $0.contains("ETA") }, "a status line was left on screen: \(screen)")
        for prefix in ["level 0 (d = 2)", "level 1 (d = 4)", "level 0  d=2", "PROVEN: C >= 1"] {
            #expect(screen.contains { $0.hasPrefix(prefix) }, "no line starts with '\(prefix)': \(screen)")
        }
    }

    @Test func quietDrawsNoStatusLine() throws {
        let folder = try CLIRunner.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let raw = try Self.transcript(["cascade", "--n", "1", "--m", "12", "--target", "1", "--quiet",
                                       "--dir", folder.appendingPathComponent("run").path])
        #expect(!raw.contains("ETA"), "\(raw.debugDescription)")
        #expect(raw.contains("PROVEN: C >= 1"), "\(raw.debugDescription)")
    }
}
