import AutoconvCore

/// Counts of a ledger entry or a finished level, as the checker reads them.
struct LedgerCounts: Equatable {
    var parents: UInt128 = 0
    var patterns: UInt128 = 0
    var patternsPruned: UInt128 = 0
    var children: UInt128 = 0
    var asymmetryPruned: UInt128 = 0
    var testPruned: UInt128 = 0
    var survivors: UInt128 = 0

    init() {}

    /// PARENTS PATTERNS PATTERNS-PRUNED CHILDREN ASYM TEST SURVIVORS, in decimal.
    init?(_ fields: ArraySlice<Substring>) {
        let values = fields.compactMap { UInt128($0) }
        guard fields.count == 7, values.count == 7 else { return nil }
        (parents, patterns, patternsPruned, children) = (values[0], values[1], values[2], values[3])
        (asymmetryPruned, testPruned, survivors) = (values[4], values[5], values[6])
    }

    /// children = asym_pruned + test_pruned + survivors (method.md §3: each child counted once).
    var addsUp: Bool {
        let (a, o1) = asymmetryPruned.addingReportingOverflow(testPruned)
        let (b, o2) = a.addingReportingOverflow(survivors)
        return !o1 && !o2 && b == children
    }

    /// The field-wise sum, or nil if a field overflows.
    func adding(_ other: LedgerCounts) -> LedgerCounts? {
        var sum = LedgerCounts()
        for field in [\LedgerCounts.parents, \.patterns, \.patternsPruned, \.children, \.asymmetryPruned, \.testPruned, \.survivors] {
            let (value, overflow) = self[keyPath: field].addingReportingOverflow(other[keyPath: field])
            if overflow { return nil }
            sum[keyPath: field] = value
        }
        return sum
    }
}

/// A level's ledger (`level-K.ledger`, written by AutoconvCascade's `Ledger`), read by the
/// checker's own parser: a header line, then one chained line per finished batch,
///
///     batch FIRST END PARENTS PATTERNS PATTERNS-PRUNED CHILDREN ASYM TEST SURVIVORS LINK
///
/// where [FIRST, END) are ranks (level 0) or parent indices (level ≥ 1) and LINK chains the line
/// to the one before (`SealedText.link`). Every line must be complete and chain, and the last
/// link and the number of entries must be those the state records.
struct CascadeLedgerFile {
    struct Entry {
        let first: UInt64
        let end: UInt64
        let counts: LedgerCounts
    }

    let path: String
    let entries: [Entry]
    /// The link after the last entry.
    let link: String

    static func read(path: String, level: Int) throws(Verifier.Rejection) -> CascadeLedgerFile {
        func bad(_ why: String) -> Verifier.Rejection { Verifier.Rejection(reason: "ledger '\(path)' \(why)") }
        let bytes = try RegularFile.read(path)
        guard bytes.last == UInt8(ascii: "\n"), let text = String(validating: bytes.dropLast(), as: UTF8.self) else {
            throw bad("is empty, ends in an incomplete line or is not text")
        }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let header = "autoconv-cascade-ledger 1 level \(level)"
        guard lines[0] == header else { throw bad("does not begin with '\(header)'") }
        var link = SealedText.link("", header)
        var entries: [Entry] = []
        for line in lines.dropFirst() {
            let fields = line.split(separator: " ", omittingEmptySubsequences: false)
            guard fields.count == 11, fields[0] == "batch", let first = UInt64(fields[1]), let end = UInt64(fields[2]),
                  let counts = LedgerCounts(fields[3...9]) else {
                throw bad("entry \(entries.count) is malformed")
            }
            link = SealedText.link(link, fields[0...9].joined(separator: " "))
            guard fields[10] == link else { throw bad("entry \(entries.count) does not chain to the one before (damaged or edited)") }
            entries.append(Entry(first: first, end: end, counts: counts))
        }
        return CascadeLedgerFile(path: path, entries: entries, link: link)
    }

    /// The entry whose range holds `index`, for entries that tile a range in order.
    func entry(holding index: UInt64) -> Int {
        var low = 0, high = entries.count
        while high - low > 1 {
            let middle = (low + high) / 2
            if entries[middle].first <= index { low = middle } else { high = middle }
        }
        return low
    }
}
