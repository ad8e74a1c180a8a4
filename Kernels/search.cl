/*
 * search.cl: the search of AutoconvCPU.RangeSearch for one work-item's contiguous rank range,
 * shared by bound.cl and prove.cl.
 *
 * A work-item still owns ranks [rank, stop), but it walks them by leaf sweeps instead of
 * single compositions: the compositions that share c_0 … c_{d-3} form one contiguous rank run
 * with c_{d-2} = v rising and c_{d-1} = R - v falling, and with those parts fixed every window
 * value is a quadratic a·v² + b·v + c in v (ac_sweep). A sweep is then usually decided by one
 * window (the "hot" one, which exceeded last) from the exact integer minimum of its quadratic
 * over the sweep's v-range, in O(1); otherwise each leaf tries the hot window first and scans
 * every window only when that fails (ac_sweep_side). Above the sweeps, whole subtrees (the ranks that
 * share c_0 … c_{k-1}, 1 <= k <= d-3) are accounted at once when lower bounds already decide
 * them (ac_subtree). The kernels only choose what a decision means (ac_walk's callers).
 *
 * Arithmetic: every window value of a real composition, and every lower bound on one, lies
 * strictly inside ±AC_INT_MAX (common.cl), so coefficients and values are exact `int`s. The
 * partial product b·v of a quadratic may not be (|b·v| can reach a few S²), so values are
 * evaluated in `uint`, exact modulo 2^32, and read back as `int`: a value that lies in the int
 * range comes out exactly. Quadratics are only evaluated at leaves 0 <= v <= R of their sweep.
 */

#define AC_X (AC_D - 2) /* the first free bin of a sweep: c_{d-2} = v */
#define AC_Y (AC_D - 1) /* the second: c_{d-1} = R - v */

/* ⌊n / k⌋ for k > 0. */
inline int ac_floor_div(const int n, const int k)
{
    const int q = n / k;
    return (n % k != 0 && n < 0) ? q - 1 : q;
}

/* a·v² + b·v + c, exact whenever the value lies in the int range (see above). */
inline int ac_quadratic_at(const int a, const int b, const int c, const int v)
{
    const uint x = (uint)v;
    return as_int(((uint)a * x + (uint)b) * x + (uint)c);
}

/* Whether a·v² + b·v + c > cut at every integer v in [lo, hi] (lo <= hi): the least value is
 * at an end or, when a > 0, at one of the two integers around the vertex -b/(2a). */
inline bool ac_exceeds_throughout(const int a, const int b, const int c, const int lo, const int hi, const int cut)
{
    if (ac_quadratic_at(a, b, c, lo) <= cut || ac_quadratic_at(a, b, c, hi) <= cut) return false;
    if (a > 0) {
        const int vertex = ac_floor_div(-b, 2 * a);
        if (vertex > lo && vertex < hi && ac_quadratic_at(a, b, c, vertex) <= cut) return false;
        if (vertex + 1 > lo && vertex + 1 < hi && ac_quadratic_at(a, b, c, vertex + 1) <= cut) return false;
    }
    return true;
}

/*
 * One leaf sweep: parts c_0 … c_{d-3} fixed, R = c_{d-2} + c_{d-1} (RangeSearch.prepareLeaves).
 * conv[t] of a leaf is quad(t)·v² + lin(t)·v + con(t): the free bins add 2c_i·v at i + x and
 * 2c_i·(R - v) at i + y for each fixed bin i, and v² at 2x, 2v(R - v) at x + y, (R - v)² at 2y.
 * The struct holds prefix sums over t of lin and con (con is the conv of the leaf v = 0, so its
 * prefix sums are at most S²); quad's are closed forms.
 */
typedef struct {
    int lin[AC_CONV + 1];
    int con[AC_CONV + 1];
    int mass[AC_D + 1]; /* mass prefix sums of the fixed bins, the free bins counted as 0 */
    int R;
} ac_sweep;

/* Sets up the sweep of composition c, whose fixed parts have the autoconvolution conv. */
inline void ac_sweep_prepare(const int *c, const int *conv, ac_sweep *sweep)
{
    const int R = c[AC_X] + c[AC_Y];
    int lin[AC_CONV], con[AC_CONV];
    for (int t = 0; t < AC_CONV; t++) {
        lin[t] = 0;
        con[t] = conv[t];
    }
    for (int i = 0; i < AC_X; i++) {
        lin[i + AC_X] += 2 * c[i];
        lin[i + AC_Y] -= 2 * c[i];
        con[i + AC_Y] += 2 * c[i] * R;
    }
    lin[AC_X + AC_Y] += 2 * R;
    lin[2 * AC_Y] -= 2 * R;
    con[2 * AC_Y] += R * R;
    sweep->lin[0] = 0;
    sweep->con[0] = 0;
    for (int t = 0; t < AC_CONV; t++) {
        sweep->lin[t + 1] = sweep->lin[t] + lin[t];
        sweep->con[t + 1] = sweep->con[t] + con[t];
    }
    sweep->mass[0] = 0;
    for (int i = 0; i < AC_D; i++) sweep->mass[i + 1] = sweep->mass[i] + (i < AC_X ? c[i] : 0);
    sweep->R = R;
}

/* quad(0) + … + quad(t - 1). */
inline int ac_sweep_quad_below(const int t)
{
    return (t > 2 * AC_X) - 2 * (t > AC_X + AC_Y) + (t > 2 * AC_Y);
}

/*
 * The quadratic of window (l, s) over the sweep: the window sum, or with `corrected` the rule
 * value WS - K (common.cl). W_int is the fixed mass in range + [x in range]·v +
 * [y in range]·(R - v) (AutoconvCPU.Sweep.window).
 */
inline void ac_sweep_quadratic(const ac_sweep *sweep, const int l, const int s, const bool corrected,
                               int *a, int *b, int *c)
{
    const int e = s + l - 2;
    *a = ac_sweep_quad_below(e + 1) - ac_sweep_quad_below(s);
    *b = sweep->lin[e + 1] - sweep->lin[s];
    *c = sweep->con[e + 1] - sweep->con[s];
    if (corrected) {
#if AC_REFINED
        const int coefficient = 2 * (l - 1);
        const int first = max(0, s - AC_D + 1), last = min(AC_D - 1, e);
        *c -= coefficient * (sweep->mass[last + 1] - sweep->mass[first]);
        if (first <= AC_X && AC_X <= last) *b -= coefficient;
        if (last >= AC_Y) {
            *c -= coefficient * sweep->R;
            *b += coefficient;
        }
#endif
        *c -= ac_constant_correction(l, s);
    }
}

/* Conv and mass prefix sums (common.cl) of the sweep's leaf c_{d-2} = v, for a full scan. */
inline void ac_sweep_leaf(const ac_sweep *sweep, const int v, int *prefix, int *mass)
{
    for (int t = 0; t <= AC_CONV; t++) prefix[t] = ac_quadratic_at(ac_sweep_quad_below(t), sweep->lin[t], sweep->con[t], v);
    for (int i = 0; i <= AC_X; i++) mass[i] = sweep->mass[i];
    mass[AC_Y] = sweep->mass[AC_X] + v;
    mass[AC_D] = sweep->mass[AC_X] + sweep->R;
}

/* Window (l, s)'s value (as in ac_sweep_quadratic) from a leaf's prefix sums. */
inline int ac_window_value(const int *prefix, const int *mass, const int l, const int s, const bool corrected)
{
    return corrected ? ac_rule_value(prefix, mass, l, s) : prefix[s + l - 1] - prefix[s];
}

/*
 * One side of the window rule over a sweep (the test cut-offs, or the cert/prove ones), with
 * its hot window: the window that exceeded last, tried first, since neighbouring leaves and
 * sweeps prune alike (SweepSide). `cut` caches cut[l] of the hot window; `all` says that
 * the hot window exceeds at every leaf still to come in this sweep. Cut-offs only ever fall
 * (bound.cl), so `all` stays true when they change.
 */
typedef struct {
    int l, s;
    int a, b, c;
    int cut;
    bool all;
} ac_sweep_side;

inline void ac_sweep_side_init(ac_sweep_side *side)
{
    side->l = 2;
    side->s = 0;
}

/* Loads the hot window's quadratic for a new sweep whose leaves to visit are [lo, hi]. */
inline void ac_sweep_side_begin(ac_sweep_side *side, const ac_sweep *sweep, const int lo, const int hi, const int *cut, const bool corrected)
{
    ac_sweep_quadratic(sweep, side->l, side->s, corrected, &side->a, &side->b, &side->c);
    side->cut = cut[side->l];
    side->all = ac_exceeds_throughout(side->a, side->b, side->c, lo, hi, side->cut);
}

/*
 * The full scan at leaf v of the sweep's leaves [v, hi], from the leaf's prefix sums: the
 * window that becomes hot is one that exceeds at every leaf of [v, hi] if there is one (it
 * decides them all), else the first that exceeds at v; false when none exceeds at v. A window
 * exceeding at v and at hi exceeds in between unless its quadratic is convex and dips.
 */
inline bool ac_sweep_side_scan(ac_sweep_side *side, const ac_sweep *sweep, const int v, const int hi, const int *cut,
                         const bool corrected, const int *prefix, const int *mass)
{
    int end_prefix[AC_CONV + 1], end_mass[AC_D + 1];
    ac_sweep_leaf(sweep, hi, end_prefix, end_mass);
    bool found = false;
    for (int l = 2; l <= AC_MAXLEN; l++) {
        for (int s = 0; s <= 2 * AC_D - l; s++) {
            if (ac_window_value(prefix, mass, l, s, corrected) <= cut[l]) continue;
            if (!found) {
                found = true;
                side->l = l;
                side->s = s;
            }
            if (ac_window_value(end_prefix, end_mass, l, s, corrected) <= cut[l]) continue;
            int a, b, c;
            ac_sweep_quadratic(sweep, l, s, corrected, &a, &b, &c);
            if (a <= 0 || ac_exceeds_throughout(a, b, c, v, hi, cut[l])) {
                side->l = l;
                side->s = s;
                side->a = a;
                side->b = b;
                side->c = c;
                side->cut = cut[l];
                side->all = true;
                return true;
            }
        }
    }
    if (!found) return false;
    ac_sweep_quadratic(sweep, side->l, side->s, corrected, &side->a, &side->b, &side->c);
    side->cut = cut[side->l];
    side->all = false;
    return true;
}

/*
 * Whether some window exceeds its cut-off at leaf v (the sweep's leaves to visit end at hi):
 * the hot window first, else a full scan (built once per leaf in prefix/mass, `*ready` says
 * whether they are).
 */
inline bool ac_sweep_side_exceeds(ac_sweep_side *side, const ac_sweep *sweep, const int v, const int hi, const int *cut,
                            const bool corrected, int *prefix, int *mass, bool *ready)
{
    if (side->all || ac_quadratic_at(side->a, side->b, side->c, v) > side->cut) return true;
    if (!*ready) {
        ac_sweep_leaf(sweep, v, prefix, mass);
        *ready = true;
    }
    return ac_sweep_side_scan(side, sweep, v, hi, cut, corrected, prefix, mass);
}

/*
 * Subtree lower bounds (method.md §3, RangeSearch.lowerBound). With parts 0 … k-1 fixed and R
 * units left for bins k … d-1, every completion has, for the window [s, e]:
 *   WS >= (conv of the fixed parts over [s, e])
 *       + 2R · (mass of the fixed bins i with i + k >= s and i + d - 1 <= e)
 *       + R²   if s <= 2k and e >= 2d - 2 (the free bins' own pairs all land inside),
 * and W_int <= (fixed mass in range) + (R if some free bin is in range). Each bound is at most
 * a true value, so it is exact in int (2R·mass <= S²/2 since R + mass <= S).
 */
typedef struct {
    int prefix[AC_CONV + 1]; /* conv prefix sums of the fixed parts */
    int mass[AC_D + 1];      /* their mass prefix sums, later bins counted as 0 */
    int k, R;
} ac_subtree;

inline void ac_subtree_prepare(const int *c, const int k, ac_subtree *tree)
{
    int fixed[AC_D], conv[AC_CONV];
    for (int i = 0; i < AC_D; i++) fixed[i] = i < k ? c[i] : 0;
    ac_autoconvolution(fixed, conv);
    ac_conv_prefix(conv, tree->prefix);
    ac_mass_prefix(fixed, tree->mass);
    tree->k = k;
    tree->R = AC_S - tree->mass[AC_D];
}

/* Lower bound on WS(l, s) over the subtree. */
inline int ac_subtree_sum_low(const ac_subtree *tree, const int l, const int s)
{
    const int e = s + l - 2, k = tree->k, R = tree->R;
    int low = tree->prefix[e + 1] - tree->prefix[s];
    const int cross_first = max(0, s - k), cross_last = min(k - 1, e - AC_D + 1);
    if (cross_first <= cross_last) low += 2 * R * (tree->mass[cross_last + 1] - tree->mass[cross_first]);
    if (s <= 2 * k && e >= 2 * AC_D - 2) low += R * R;
    return low;
}

/* Lower bound on the rule value WS - K of window (l, s) over the subtree. */
inline int ac_subtree_rule_low(const ac_subtree *tree, const int l, const int s)
{
    const int low = ac_subtree_sum_low(tree, l, s) - ac_constant_correction(l, s);
#if AC_REFINED
    const int first = max(0, s - AC_D + 1), last = min(AC_D - 1, s + l - 2);
    int in_range = tree->mass[last + 1] - tree->mass[first];
    if (last >= tree->k) in_range += tree->R;
    return low - 2 * (l - 1) * in_range;
#else
    return low;
#endif
}

/* Whether some window's lower bound over the subtree exceeds cut[l] (test side, or cert side). */
inline bool ac_subtree_exceeds(const ac_subtree *tree, const int *cut, const bool corrected)
{
    for (int l = 2; l <= AC_MAXLEN; l++) {
        for (int s = 0; s <= 2 * AC_D - l; s++) {
            const int low = corrected ? ac_subtree_rule_low(tree, l, s) : ac_subtree_sum_low(tree, l, s);
            if (low > cut[l]) return true;
        }
    }
    return false;
}

/*
 * The walk over one rank range [rank, stop). `c` is the next leaf to visit and `rank` its
 * rank. Before its sweep, the subtrees that begin there are offered top-down: `level` is the
 * next prefix length k to offer (1 … d-3), or AC_X once only the sweep is left. After a carry
 * into new parts c_0 … c_{j-1}, c is the first leaf of every subtree at levels >= j (`fresh`);
 * at the range's start it may lie inside them, and subtree sizes count from c on.
 */
typedef struct {
    int c[AC_D];
    int conv[AC_CONV]; /* autoconvolution of c_0 … c_{d-3} */
    ulong rank, stop;
    int level;
    bool fresh;
} ac_walk;

/* conv of the fixed parts c_0 … c_{d-3}, from scratch. */
inline void ac_walk_reconvolve(ac_walk *walk)
{
    int fixed[AC_D];
    for (int i = 0; i < AC_D; i++) fixed[i] = i < AC_X ? walk->c[i] : 0;
    ac_autoconvolution(fixed, walk->conv);
}

inline void ac_walk_begin(ac_walk *walk, const ulong rank, const ulong stop, AC_TABLE_SPACE const ulong *table)
{
    ac_unrank(rank, table, walk->c);
    ac_walk_reconvolve(walk);
    walk->rank = rank;
    walk->stop = stop;
    walk->level = min(1, AC_X);
    walk->fresh = false;
}

/* Ranks of the current level's subtree from c on, clipped to the range. Inside a subtree, the
 * offset of c is the rank of (c_k … c_{d-1}) among the compositions of R into d - k parts. */
inline ulong ac_walk_subtree_size(const ac_walk *walk, const ac_subtree *tree, AC_TABLE_SPACE const ulong *table)
{
    const int k = tree->k;
    ulong size = AC_N_PARTS(table, AC_D - k, tree->R);
    if (!walk->fresh) {
        int remaining = tree->R;
        for (int i = k; i < AC_D - 1; i++) {
            size -= AC_N_PARTS(table, AC_D - i, remaining) - AC_N_PARTS(table, AC_D - i, remaining - walk->c[i]);
            remaining -= walk->c[i];
        }
    }
    return min(size, walk->stop - walk->rank);
}

#if AC_D > 2
/* Part j (j < d - 2) becomes `value`, with conv kept current. */
inline void ac_walk_set_part(ac_walk *walk, const int j, const int value)
{
    const int delta = value - walk->c[j];
    for (int i = 0; i < AC_X; i++) {
        if (i != j) walk->conv[i + j] += 2 * delta * walk->c[i];
    }
    walk->conv[2 * j] += value * value - walk->c[j] * walk->c[j];
    walk->c[j] = value;
}

/* From the leaf (…, 0) with c_{d-1} = 0, to the next composition: the last nonzero part
 * c_j (j <= d - 2; j >= 1, as (S, 0, …, 0) is never left) gives one unit to c_{j-1} and the
 * rest to c_{d-1}. New subtrees begin at level j. */
inline void ac_walk_carry(ac_walk *walk)
{
    int j = AC_X;
    while (walk->c[j] == 0) j--;
    const int tail = walk->c[j];
    if (j < AC_X) ac_walk_set_part(walk, j, 0); else walk->c[j] = 0;
    ac_walk_set_part(walk, j - 1, walk->c[j - 1] + 1);
    walk->c[AC_Y] = tail - 1;
    walk->level = j;
    walk->fresh = true;
}
#endif

/* Accounts `size` ranks of the current level's subtree (all of it from c on, clipped); returns
 * whether ranks remain. */
inline bool ac_walk_skip(ac_walk *walk, const ac_subtree *tree, const ulong size)
{
    walk->rank += size;
    if (walk->rank == walk->stop) return false;
#if AC_D > 2
    /* The subtree's last leaf is (c_0 … c_{k-1}, R, 0, …, 0). */
    for (int i = tree->k; i < AC_D; i++) walk->c[i] = 0;
    walk->c[tree->k] = tree->R;
    ac_walk_reconvolve(walk);
    ac_walk_carry(walk);
#endif
    return true;
}

/* Accounts the `count` leaves visited in the current sweep; returns whether ranks remain. */
inline bool ac_walk_next_sweep(ac_walk *walk, const ulong count)
{
    walk->rank += count;
    if (walk->rank == walk->stop) return false;
#if AC_D > 2
    walk->c[AC_X] += walk->c[AC_Y];
    walk->c[AC_Y] = 0;
    ac_walk_carry(walk);
#endif
    return true;
}

/* The leaf c_{d-2} = v of the current sweep, as a full composition. */
inline void ac_walk_leaf(const ac_walk *walk, const int v, int *leaf)
{
    for (int i = 0; i < AC_X; i++) leaf[i] = walk->c[i];
    leaf[AC_X] = v;
    leaf[AC_Y] = walk->c[AC_X] + walk->c[AC_Y] - v;
}

/* What the walk stands at, the question each step of a kernel's walk loop starts with. Above
 * the sweep level: returns true with `tree` the subtree at walk->level, which the caller skips
 * (ac_walk_skip) or enters (walk->level++). At the sweep level: returns false with `count` the
 * sweep's leaves in the range, v = c_{d-2} … c_{d-2} + count - 1 (count >= 1, as rank < stop),
 * which the caller decides and then passes on (ac_walk_next_sweep). */
inline bool ac_walk_at_subtree(const ac_walk *walk, ac_subtree *tree, ulong *count)
{
    if (walk->level < AC_X) {
        ac_subtree_prepare(walk->c, walk->level, tree);
        return true;
    }
    *count = min((ulong)walk->c[AC_Y] + 1, walk->stop - walk->rank);
    return false;
}
