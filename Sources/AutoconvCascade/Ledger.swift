#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import AutoconvCore

/// The per-batch ledger of one level, `level-K.ledger`: what backs the state's position and
/// counts, and what lets `verify` check that every parent was expanded.
///
///     autoconv-cascade-ledger 1 level K
///     batch FIRST END PARENTS PATTERNS PATTERNS-PRUNED CHILDREN ASYM TEST SURVIVORS LINK
///     …
///
/// One line per finished batch, appended (and fsynced) before the state that counts it is
/// saved: [FIRST, END) are the batch's ranks (level 0) or parent indices (level ≥ 1), then its
/// `ChildCounts`. The lines are chained (`SealedText.link`), and the state keeps the number of
/// lines it has counted and the last link (`Mark`), so the ledger and the state vouch for each
/// other: the entries tile [0, position) and add up to the state's counts.
final class Ledger {
    struct Entry: Equatable {
        var first: UInt64
        var end: UInt64
        var counts: ChildCounts

        var fields: [String] {
            ["\(first)", "\(end)", "\(counts.parents)", "\(counts.patterns)", "\(counts.patternsPruned)", "\(counts.children)",
             "\(counts.asymmetryPruned)", "\(counts.testPruned)", "\(counts.survivors)"]
        }

        var line: String { (["batch"] + fields).joined(separator: " ") }

        /// Parses the fields of `line`, which must be written exactly as `line` writes them.
        init?(fields: ArraySlice<Substring>) {
            guard fields.count == 9, let first = UInt64(fields[fields.startIndex]), let end = UInt64(fields[fields.startIndex + 1]) else {
                return nil
            }
            var big: [UInt128] = []
            for f in fields.dropFirst(2) {
                guard let v = UInt128(f) else { return nil }
                big.append(v)
            }
            var counts = ChildCounts()
            (counts.parents, counts.patterns, counts.patternsPruned, counts.children) = (big[0], big[1], big[2], big[3])
            (counts.asymmetryPruned, counts.testPruned, counts.survivors) = (big[4], big[5], big[6])
            self.init(first: first, end: end, counts: counts)
            guard self.fields.elementsEqual(fields, by: { $0 == $1 }) else { return nil }
        }

        init(first: UInt64, end: UInt64, counts: ChildCounts) {
            self.first = first
            self.end = end
            self.counts = counts
        }
    }

    /// Where a ledger ends, as the state records it: `ledger LEVEL ENTRIES LINK`.
    struct Mark: Equatable {
        let level: Int
        var entries: Int
        var link: String

        /// The mark of an empty ledger.
        init(level: Int) {
            self.level = level
            entries = 0
            link = SealedText.link("", Ledger.header(level))
        }

        init?(fields: [Substring]) {
            guard fields.count == 3, let level = Int(fields[0]), let entries = Int(fields[1]),
                  "\(level)" == fields[0], "\(entries)" == fields[1], level >= 0, entries >= 0, SealedText.isDigest(fields[2]) else {
                return nil
            }
            self.level = level
            self.entries = entries
            link = String(fields[2])
        }
    }

    let path: String
    private(set) var entries: [Entry]
    private(set) var mark: Mark

    static func header(_ level: Int) -> String { "autoconv-cascade-ledger 1 level \(level)" }

    private init(path: String, entries: [Entry], mark: Mark) {
        self.path = path
        self.entries = entries
        self.mark = mark
    }

    /// A new, empty ledger for `level`, replacing any stale file of that name (one that a
    /// crash left before the state ever named it).
    static func create(path: String, level: Int) throws -> Ledger {
        let fd = try AtomicFile.create(path)
        let written = AtomicFile.writeAll(fd, Array((header(level) + "\n").utf8)) && fsync(fd) == 0
        close(fd)
        guard written else { throw CoreError.failure("cannot write '\(path)': \(String(cString: strerror(errno)))") }
        AtomicFile.syncDirectory(of: path)
        return Ledger(path: path, entries: [], mark: Mark(level: level))
    }

    /// Opens the ledger that `mark` describes: its first `mark.entries` lines must chain to
    /// `mark.link`. Lines after them belong to a batch whose state was never saved (a crash
    /// between the two writes): with `cutExtra` (the level in progress) they are cut off, else
    /// (a finished level, complete by construction) they are an error.
    static func open(path: String, mark: Mark, cutExtra: Bool) throws -> Ledger {
        func bad(_ why: String) -> CoreError { .badInput("ledger '\(path)' does not match the state: \(why)") }
        guard let bytes = try AtomicFile.readBytes(path) else { throw bad("it is missing") }
        var entries: [Entry] = []
        var link = Mark(level: mark.level).link
        var offset = 0
        // Line i (0 the header) as text, if it is complete.
        func nextLine() -> Substring? {
            guard let newline = bytes[offset...].firstIndex(of: UInt8(ascii: "\n")) else { return nil }
            defer { offset = newline + 1 }
            return Substring(String(decoding: bytes[offset..<newline], as: UTF8.self))
        }
        guard nextLine() == Substring(header(mark.level)) else { throw bad("its first line is not '\(header(mark.level))'") }
        while entries.count < mark.entries {
            guard let line = nextLine() else { throw bad("it has \(entries.count) entries, the state counts \(mark.entries)") }
            let fields = line.split(separator: " ", omittingEmptySubsequences: false)
            guard fields.count == 11, fields[0] == "batch", let entry = Entry(fields: fields[1...9]) else {
                throw bad("entry \(entries.count) is malformed")
            }
            link = SealedText.link(link, entry.line)
            guard fields[10] == link else { throw bad("entry \(entries.count) does not chain (damaged or edited)") }
            entries.append(entry)
        }
        guard link == mark.link else { throw bad("its entry \(mark.entries - 1) is not the one the state counted") }
        if offset < bytes.count {
            guard cutExtra else { throw bad("it has data after the \(mark.entries) entries the state counts") }
            guard let fd = try AtomicFile.openExisting(path, flags: O_WRONLY) else { throw bad("it is missing") }
            let cut = ftruncate(fd, off_t(offset)) == 0 && fsync(fd) == 0
            close(fd)
            guard cut else { throw CoreError.failure("cannot truncate '\(path)': \(String(cString: strerror(errno)))") }
        }
        return Ledger(path: path, entries: entries, mark: mark)
    }

    /// Appends a finished batch and makes it durable; `mark` then includes it.
    func append(_ entry: Entry) throws {
        let link = SealedText.link(mark.link, entry.line)
        guard let fd = try AtomicFile.openExisting(path, flags: O_WRONLY | O_APPEND) else {
            throw CoreError.failure("ledger '\(path)' has disappeared")
        }
        let written = AtomicFile.writeAll(fd, Array((entry.line + " " + link + "\n").utf8)) && fsync(fd) == 0
        close(fd)
        guard written else { throw CoreError.failure("cannot append to '\(path)': \(String(cString: strerror(errno)))") }
        entries.append(entry)
        mark.entries += 1
        mark.link = link
    }
}
