import AutoconvCore

/// Sort and unique of survivors in bounded memory (an external merge sort).
///
/// Records are buffered until about `memoryLimit` bytes, then written as a sorted, duplicate-free
/// run (a `SurvivorFormat` file named `<prefix>-<N>.surv` in `directory`). `merge` streams the
/// union of runs in lexicographic order without duplicates; at most `fanIn` runs are open at
/// once: beyond that, runs are first merged into fewer, larger runs. The caller persists
/// `runs` to resume; a run is complete on disk before its name is returned.
public final class SurvivorSorter {
    public let directory: String
    public let prefix: String
    public let header: SurvivorFormat.Header
    public let memoryLimit: Int
    public static let fanIn = 16

    /// Completed runs, oldest first.
    public private(set) var runs: [String]
    /// Number used for the next run's name.
    public private(set) var nextRun: Int
    private var buffer: [[Int]] = []

    public init(directory: String, prefix: String, header: SurvivorFormat.Header,
                memoryLimit: Int, runs: [String] = [], nextRun: Int = 0) {
        self.directory = directory
        self.prefix = prefix
        self.header = header
        self.memoryLimit = max(memoryLimit, 1)
        self.runs = runs
        self.nextRun = nextRun
    }

    private var recordBytes: Int { 8 * header.problem.d + 32 }

    public func add(_ record: [Int]) throws {
        buffer.append(record)
        if buffer.count * recordBytes >= memoryLimit { try spill() }
    }

    /// Writes the buffered records as a run (if any) and, past `fanIn` runs, merges them into one.
    /// The runs merged away are not deleted here (a saved state may still list them, and a crash
    /// before the next one would leave it listing missing files): the caller deletes them once
    /// no state names them (`mergedAway`).
    public func flush() throws {
        try spill()
        if runs.count > SurvivorSorter.fanIn {
            let merged = try newRun()
            _ = try SurvivorSorter.merge(runs, into: merged)
            mergedAway += runs
            runs = [merged.path]
        }
    }

    /// Runs merged into a later run by `flush`, for the caller to delete.
    public private(set) var mergedAway: [String] = []

    /// Forgets buffered records that were not flushed (after an interrupted batch).
    public func dropBuffer() { buffer.removeAll() }

    private func spill() throws {
        guard !buffer.isEmpty else { return }
        buffer.sort { $0.lexicographicallyPrecedes($1) }
        let writer = try newRun()
        var last: [Int]?
        for record in buffer where record != last {
            try writer.append(record)
            last = record
        }
        try writer.finish()
        runs.append(writer.path)
        buffer.removeAll(keepingCapacity: true)
    }

    private func newRun() throws -> SurvivorWriter {
        let path = "\(directory)/\(prefix)-\(nextRun).surv"
        nextRun += 1
        return try SurvivorWriter(path: path, header: header)
    }

    /// Merges sorted runs into `writer` (finished here) without duplicates; returns the count.
    @discardableResult
    public static func merge(_ runs: [String], into writer: SurvivorWriter) throws -> UInt64 {
        do {
            try merge(runs) { try writer.append($0) }
            try writer.finish()
        } catch {
            writer.discard()
            throw error
        }
        return writer.count
    }

    /// Merges `runs` in groups of `fanIn` into new runs `<prefix>-<N>.surv` in `directory` until at
    /// most `fanIn` are left, so that a merge of many runs (a level adopted from a thousand
    /// shards) never opens more files at once than that. Returns the runs to merge and the ones
    /// made here, for the caller to delete once it is done with them.
    public static func reduce(_ runs: [String], directory: String, prefix: String, header: SurvivorFormat.Header)
        throws -> (runs: [String], made: [String]) {
        var current = runs, made: [String] = []
        while current.count > fanIn {
            var next: [String] = []
            for start in stride(from: 0, to: current.count, by: fanIn) {
                let group = Array(current[start..<min(start + fanIn, current.count)])
                guard group.count > 1 else { next += group; continue }
                let path = "\(directory)/\(prefix)-\(made.count).surv"
                try merge(group, into: SurvivorWriter(path: path, header: header))
                made.append(path)
                next.append(path)
            }
            current = next
        }
        return (current, made)
    }

    /// Visits the union of sorted runs in order, each distinct record once.
    public static func merge(_ runs: [String], visit: ([Int]) throws -> Void) throws {
        let readers = try runs.map { try SurvivorReader(path: $0) }
        var heads = try readers.map { try $0.next() }
        var last: [Int]?
        while true {
            var best = -1
            for (i, head) in heads.enumerated() {
                guard let head else { continue }
                if best < 0 || head.lexicographicallyPrecedes(heads[best]!) { best = i }
            }
            guard best >= 0, let record = heads[best] else { return }
            heads[best] = try readers[best].next()
            if record != last {
                try visit(record)
                last = record
            }
        }
    }
}
