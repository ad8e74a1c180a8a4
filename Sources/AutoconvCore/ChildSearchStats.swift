/// What the child search did (`cascade --stats`): nodes visited and subtrees cut per depth of the
/// search, and its leaf sweeps. Diagnostics only: no decision reads them, and counts and survivors
/// are the same with and without them. Depth i is pair i of the child (bins 2i, 2i+1), the pair
/// whose Δ_{i+1} or split the search chooses there (see `ChildTree` for the order).
///
/// Node counts depend on how a parent's index space is cut into work units (a node overlapping
/// two units is visited in both), so they are facts about one run, not about the children: two
/// engines agree exactly only when they cut the index space alike (one unit per parent).
///
/// Layout, shared with Kernels/children.cl (`AC_STATS`, `autoconv_shared.h`): `values` holds
/// `Kind.allCases.count` rows of `pairs` counters (row k, depth i at k·pairs + i), then the
/// three sweep totals, in `Total` order.
public struct ChildSearchStats: Hashable, Sendable {
    /// The per-depth counters, in layout order.
    public enum Kind: Int, CaseIterable, Sendable {
        /// (pair i, Δ_{i+1}) nodes with σ_i ≥ 0 and children in the unit's range.
        case deltaNodes
        /// Those cut by asymmetry (only at the pair that decides Δ_{n/2}).
        case asymmetryCuts
        /// Those cut by the window lower bound at the node (σ_i known; with split quadratics the hot
        /// window only, `ChildSearch.descend`).
        case deltaWindowCuts
        /// Splits (pair i, v) with children in the range.
        case splitNodes
        /// Splits cut by the per-bin caps (method.md §5 (b)).
        case capCuts
        /// Splits cut by the window lower bound after the split.
        case splitWindowCuts
        /// Runs of splits (v … σ_i) of pair i cut at once by the hot window's split quadratic
        /// (its least value over the run exceeds the cut-off): all splits of a (pair i, Δ_{i+1})
        /// node before any is visited, or the rest after a split moved the hot window. Their
        /// splits are not visited, so `splitNodes` does not count them.
        case splitRunCuts

        /// The JSON key of the row.
        public var key: String {
            switch self {
            case .deltaNodes: "delta_nodes"
            case .asymmetryCuts: "asymmetry_cuts"
            case .deltaWindowCuts: "delta_window_cuts"
            case .splitNodes: "split_nodes"
            case .capCuts: "cap_cuts"
            case .splitWindowCuts: "split_window_cuts"
            case .splitRunCuts: "split_run_cuts"
            }
        }
    }

    /// Totals over the last pair's leaf sweeps. `leafSweeps` is the same in every engine; the
    /// other two depend on how an engine picks its hot window inside a sweep (the kernel's scan
    /// prefers one that decides the rest of the sweep), so they may differ between engines.
    public enum Total: Int, CaseIterable, Sendable {
        /// Leaf sweeps started (a last-pair node not cut before).
        case leafSweeps
        /// Sweeps decided whole by one window before any leaf was looked at.
        case sweepsDecided
        /// Leaves (children) checked one by one.
        case leavesEvaluated

        public var key: String {
            switch self {
            case .leafSweeps: "leaf_sweeps"
            case .sweepsDecided: "sweeps_decided"
            case .leavesEvaluated: "leaves_evaluated"
            }
        }
    }

    /// Pairs of the child (d/2): the depths.
    public let pairs: Int
    public var values: [UInt64]

    public init(pairs: Int) {
        self.pairs = pairs
        values = [UInt64](repeating: 0, count: Self.size(pairs: pairs))
    }

    /// Counters for `pairs` depths: the flat length of `values`.
    public static func size(pairs: Int) -> Int { Kind.allCases.count * pairs + Total.allCases.count }

    public subscript(kind: Kind, depth: Int) -> UInt64 {
        get { values[kind.rawValue * pairs + depth] }
        set { values[kind.rawValue * pairs + depth] = newValue }
    }

    public subscript(total: Total) -> UInt64 {
        get { values[Kind.allCases.count * pairs + total.rawValue] }
        set { values[Kind.allCases.count * pairs + total.rawValue] = newValue }
    }

    /// A row summed over the depths.
    public func sum(_ kind: Kind) -> UInt64 { (0..<pairs).reduce(0) { $0 &+ self[kind, $1] } }

    public mutating func merge(_ other: ChildSearchStats) {
        precondition(other.pairs == pairs, "stats of different levels")
        for k in values.indices { values[k] &+= other.values[k] }
    }
}
