import AutoconvCore

/// How a `DeviceGroup` cuts a batch of cascade parents into pieces to deal: runs of whole
/// consecutive parents of about `target` children together, and a parent with more than
/// `target` children alone, cut into child-index ranges (`ChildJob.indices`) of about
/// `target` each, so that one expensive parent is worked by every device. Pieces are in parent
/// order and, within a parent, in child-index order: released in piece order, their survivors
/// come out in the order one engine gives them.
enum ChildPiece: Equatable, Sendable {
    /// Parents `range` of the batch, whole.
    case parents(Range<Int>)
    /// Children `indices` of parent `parent`; `last` marks the parent's last piece.
    case part(parent: Int, indices: Range<UInt128>, last: Bool)

    /// At most this many pieces per parent, however large it is.
    static let maxPartsPerParent = 1 << 12

    /// The pieces of `trees` (the batch's parents, or of a job that is already one piece of
    /// one parent: then its `span` alone), for about `pieces` pieces of similar child counts.
    static func plan(_ trees: [ChildTree], span: Range<UInt128>?, pieces: Int) -> [ChildPiece] {
        if let span {
            precondition(trees.count == 1, "a piece of a parent has one parent")
            return parts(parent: 0, of: span, target: max(1, (span.upperBound - span.lowerBound) / UInt128(max(1, pieces))))
        }
        // The batch's children, saturating: a size hint only.
        let total = trees.reduce(UInt128(0)) { sum, tree in
            let (next, overflow) = sum.addingReportingOverflow(tree.count)
            return overflow ? .max : next
        }
        let target = max(1, total / UInt128(max(1, pieces)))
        var plan: [ChildPiece] = []
        var runStart = 0, runChildren: UInt128 = 0
        func closeRun(at end: Int) {
            if runStart < end { plan.append(.parents(runStart..<end)) }
            runStart = end
            runChildren = 0
        }
        for (p, tree) in trees.enumerated() {
            if tree.count > target {
                closeRun(at: p)
                plan += parts(parent: p, of: 0..<tree.count, target: target)
                runStart = p + 1
                continue
            }
            runChildren += tree.count   // each ≤ target, and the run is closed at ≥ target: no overflow
            if runChildren >= target { closeRun(at: p + 1) }
        }
        closeRun(at: trees.count)
        return plan
    }

    /// `span` of one parent in ranges of about `target` children.
    private static func parts(parent: Int, of span: Range<UInt128>, target: UInt128) -> [ChildPiece] {
        let width = span.upperBound - span.lowerBound
        let count = Int(min(UInt128(maxPartsPerParent), width / target + (width % target == 0 ? 0 : 1)))
        let ranges = span.split(into: max(1, count))
        return ranges.enumerated().map { i, range in .part(parent: parent, indices: range, last: i == ranges.count - 1) }
    }

    /// Children this piece classifies, as its weight in the members' shares.
    func children(_ trees: [ChildTree]) -> UInt128 {
        switch self {
        case .parents(let range): return trees[range].reduce(0) { $0 + $1.count }
        case .part(_, let indices, _): return indices.upperBound - indices.lowerBound
        }
    }
}
