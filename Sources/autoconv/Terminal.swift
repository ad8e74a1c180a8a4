#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import AutoconvCore
import Synchronization

/// stdout carries results, stderr carries progress and logs.
///
/// Progress is one status line on stderr. On a terminal it is rewritten in place, and any other
/// line (on either stream) first clears it, so a log line never lands in the middle of a status
/// line; the next status update draws it again below. Piped, status lines are plain lines.
enum Terminal {
    /// Whether an in-place status line is on screen now.
    private static let statusShown = Mutex(false)
    /// When the last status line was shown, so that callers may report as often as they like.
    private static let lastStatus = Mutex<ContinuousClock.Instant?>(nil)
    /// `--quiet`: no status lines at all.
    private static let quietFlag = Atomic(false)
    static var quiet: Bool {
        get { quietFlag.load(ordering: .relaxed) }
        set { quietFlag.store(newValue, ordering: .relaxed) }
    }

    static func out(_ line: String) {
        clearStatus()
        emit(line + "\n", to: 1)
    }

    static func err(_ text: String) {
        clearStatus()
        emit(text + "\n", to: 2)
    }

    /// Shows `line` as the status line: redrawn at most every quarter second on a terminal, a
    /// plain line at most every 10 s when piped, nothing when quiet. The first one always shows.
    static func status(_ line: String) {
        guard !quiet, statusIsDue() else { return }
        guard stderrIsTerminal else {
            err(line)
            return
        }
        statusShown.withLock { shown in
            emit("\r\u{1B}[K" + line, to: 2)
            shown = true
        }
    }

    private static func statusIsDue() -> Bool {
        let now = ContinuousClock.now
        let interval: Duration = stderrIsTerminal ? .milliseconds(250) : .seconds(10)
        return lastStatus.withLock { last in
            if let last, now - last < interval { return false }
            last = now
            return true
        }
    }

    /// Removes the status line, so the next output starts on a clean line.
    static func clearStatus() {
        statusShown.withLock { shown in
            guard shown else { return }
            emit("\r\u{1B}[K", to: 2)
            shown = false
        }
    }

    /// All of `text` on file descriptor `fd`, unbuffered: write(2) rather than stdio, whose
    /// `stdout`/`stderr` are global mutable state that Swift 6 does not let threads share.
    private static func emit(_ text: String, to fd: Int32) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                return  // a closed pipe: nothing more can be said there
            }
            bytes = bytes.dropFirst(written)
        }
    }

    /// A new directory `PREFIX-XXXXXX` in $TMPDIR (default /tmp), for run directories.
    static func temporaryDirectory(_ prefix: String) throws -> String {
        let folder = environment("TMPDIR").flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array("\(folder)/\(prefix)-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw CoreError.failure("cannot create a run directory in \(folder): \(String(cString: strerror(errno)))")
        }
        return String(cString: made)
    }

    static var stderrIsTerminal: Bool { isatty(2) != 0 }

    static func environment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }

    static var processorCount: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }
}
