/*
 * children.cl: the cascade's child test (method.md §5), the OpenCL twin of
 * AutoconvCPU.ChildSearch, built for the child level (AC_N, AC_M, … describe the children).
 *
 * Extra build options: AC_DELTA_LOW, AC_DELTA_HIGH (the Δ family: 0 1 relaxed, 0 0 exact), and
 * AC_STATS (1: count nodes, cuts and sweeps as AutoconvCore.ChildSearchStats, per work-item, summed
 * per work-group into `stats`; 0, the default: no counters, the statements compile away), and
 * AC_SPLIT_QUADRATICS (1, the default: splits are first checked against the hot window's bound
 * as a quadratic in the split, and runs of splits cut at once, see ac_split_quadratic; 0: every
 * node through ac_child_cuts, only to test that the quadratic changes no count and no survivor).
 *
 * Children of one parent t (AC_DP parts) are numbered as in AutoconvCore.ChildTree: the digit
 * string (Δ_1, u_0, Δ_2, u_2, …, u_{d-2}) in lexicographic order, so the children below any
 * prefix form one index range. A work-item takes chunks of launch-local indices, finds the
 * segments (parent, first child) each overlaps, and walks each range depth-first from its first
 * index: choose Δ_{i+1} (fixing σ_i = 2t_i + Δ_{i+1} − Δ_i), then
 * the split u_{2i} = v, u_{2i+1} = σ_i − v. A node whose children all fail is accounted as one
 * range, the lower bounds being ChildSearch's (see ac_child_cuts); the last pair's splits are
 * one leaf sweep of search.cl, decided by the same fused window quadratics as level 0.
 *
 * Counting convention (method.md §3): asymmetry first, then any window, else a survivor. A
 * child's left mass is 2·(the parent's left mass) + Δ_{n/2} for the parent's n = AC_DP/2, so
 * asymmetry is decided once that Δ is chosen; bounds cut a node only where it is decided.
 *
 * Arithmetic: child indices are 128-bit (ac_u128; every count is below 2^128, ChildTree's
 * limit); a work-item's range and its tallies are below 2^64. Window values and their bounds
 * are `int`: every bound is at most a real child's window sum <= S^2 < 2^31 (common.cl).
 */

#ifndef AC_SPLIT_QUADRATICS
#define AC_SPLIT_QUADRATICS 1
#endif

#define AC_DP (AC_D / 2)
#define AC_HALF_PARENT (AC_DP / 2)
#define AC_WIDTH (AC_DELTA_HIGH - AC_DELTA_LOW + 1)

/* ChildSearchStats layout: rows of AC_DP counters (kind k, depth i at k·AC_DP + i), then the
 * sweep totals. Kinds and totals in ChildSearchStats.Kind / .Total order. */
#define AC_STAT_DELTA_NODES 0
#define AC_STAT_ASYMMETRY_CUTS 1
#define AC_STAT_DELTA_WINDOW_CUTS 2
#define AC_STAT_SPLIT_NODES 3
#define AC_STAT_CAP_CUTS 4
#define AC_STAT_SPLIT_WINDOW_CUTS 5
#define AC_STAT_SPLIT_RUN_CUTS 6
#define AC_STAT_KINDS 7
#define AC_STAT_LEAF_SWEEPS 0
#define AC_STAT_SWEEPS_DECIDED 1
#define AC_STAT_LEAVES_EVALUATED 2
#define AC_STATS_SIZE (AC_STAT_KINDS * AC_DP + 3)
#if AC_STATS
#define AC_COUNT(kind, i) (tally->stats[(kind) * AC_DP + (i)]++)
#define AC_COUNT_TOTAL(total, amount) (tally->stats[AC_STAT_KINDS * AC_DP + (total)] += (amount))
#else
#define AC_COUNT(kind, i) ((void)0)
#define AC_COUNT_TOTAL(total, amount) ((void)0)
#endif

typedef struct {
    ulong lo, hi;
} ac_u128;

inline ac_u128 ac_u128_make(const ulong lo, const ulong hi)
{
    ac_u128 r = {lo, hi};
    return r;
}

inline ac_u128 ac_u128_add(const ac_u128 a, const ac_u128 b)
{
    const ulong lo = a.lo + b.lo;
    return ac_u128_make(lo, a.hi + b.hi + (lo < a.lo));
}

inline ac_u128 ac_u128_sub(const ac_u128 a, const ac_u128 b)
{
    return ac_u128_make(a.lo - b.lo, a.hi - b.hi - (a.lo < b.lo));
}

/* a · k for a small factor k (the products here stay below 2^128). */
inline ac_u128 ac_u128_times(const ac_u128 a, const ulong k)
{
    return ac_u128_make(a.lo * k, a.hi * k + mul_hi(a.lo, k));
}

inline bool ac_u128_less(const ac_u128 a, const ac_u128 b)
{
    return a.hi < b.hi || (a.hi == b.hi && a.lo < b.lo);
}

/* |[first, first + size) ∩ [lo, hi)|, below 2^64 as hi − lo is. */
inline ulong ac_overlap(const ac_u128 first, const ac_u128 size, const ac_u128 lo, const ac_u128 hi)
{
    const ac_u128 end = ac_u128_add(first, size);
    const ac_u128 a = ac_u128_less(first, lo) ? lo : first;
    const ac_u128 b = ac_u128_less(end, hi) ? end : hi;
    return ac_u128_less(a, b) ? ac_u128_sub(b, a).lo : 0;
}

/* One parent's child tree (its addressing, as ChildTree) and the search state below it
 * (ChildSearch's fields). Not to be confused with ChildFamily, the choice of Δ range. */
typedef struct {
    int t[AC_DP];
    int tail[AC_DP + 1];       /* t_i + … + t_{dp-1} */
    bool asym[AC_WIDTH];       /* whether Δ_{n/2} = AC_DELTA_LOW + k makes every child asymmetry-pruned */
    bool any_asym;
    __global const ulong *completions; /* N_i(Δ) of ChildTree, as (lo, hi) at 2·(i·AC_WIDTH + Δ − low) */
    int u[AC_D];               /* bins of the split pairs, 0 beyond */
    int conv[AC_CONV];         /* their autoconvolution */
    int delta[AC_DP + 1];      /* Δ_0 … Δ_i of the current node */
    int hot_l, hot_s;          /* the window that cut last, tried first */
} ac_child_tree;

inline ac_u128 ac_completions(const ac_child_tree *f, const int i, const int delta)
{
    const int at = 2 * (i * AC_WIDTH + delta - AC_DELTA_LOW);
    return ac_u128_make(f->completions[at], f->completions[at + 1]);
}

inline void ac_child_tree_begin(ac_child_tree *f, __global const int *parent, __global const ulong *completions, const int asym_cut)
{
    f->tail[AC_DP] = 0;
    for (int i = AC_DP - 1; i >= 0; i--) {
        f->t[i] = parent[i];
        f->tail[i] = f->tail[i + 1] + f->t[i];
    }
    const int left = (f->tail[0] - f->tail[AC_HALF_PARENT]) * 2;
    f->any_asym = false;
    for (int k = 0; k < AC_WIDTH; k++) {
        const int a = left + AC_DELTA_LOW + k;
        f->asym[k] = max(a, AC_S - a) >= asym_cut;
        f->any_asym |= f->asym[k];
    }
    f->completions = completions;
    for (int j = 0; j < AC_D; j++) f->u[j] = 0;
    for (int k = 0; k < AC_CONV; k++) f->conv[k] = 0;
    f->delta[0] = 0;
}

/* Adds (sign 1) or removes (sign −1) pair i's bins (a, b) to the autoconvolution. */
inline void ac_child_tree_place(ac_child_tree *f, const int i, const int a, const int b, const int sign)
{
    const int j0 = 2 * i, j1 = j0 + 1;
    const int sa = sign * 2 * a, sb = sign * 2 * b;
    for (int j = 0; j < j0; j++) {
        f->conv[j + j0] += sa * f->u[j];
        f->conv[j + j1] += sb * f->u[j];
    }
    f->conv[2 * j0] += sign * a * a;
    f->conv[j0 + j1] += sign * 2 * a * b;
    f->conv[2 * j1] += sign * b * b;
    f->u[j0] = sign > 0 ? a : 0;
    f->u[j1] = sign > 0 ? b : 0;
}

/*
 * Whether some window fails every child below the node where pairs < i are split and Δ_i is
 * known (and Δ_{i+1} too when `sigma_known`). ChildSearch's type comment explains the bounds:
 * the fixed conv, plus 2u_j·σmin_b for fixed bin j and free pair b (both of b's bins inside the window),
 * plus σmin_b·σmin_b' for free pairs (their whole product inside), less the coefficient times
 * W_int <= fixed mass in range + min(free mass, Σ σmax_b over free pairs meeting the range) and
 * the constant of the correction (common.cl).
 *
 * With `hot_value` (ac_child_split_value) it only writes the hot window's bound there (its value
 * at the node, ChildSearch.windowValue) and returns false; the bound is computed once, here.
 */
inline bool ac_child_scan(ac_child_tree *f, const int i, const bool sigma_known, const int *cut, int *hot_value)
{
    const int fixed_bins = 2 * i, known = sigma_known ? i + 1 : i;
    int sigma_min[AC_DP], sigma_max_prefix[AC_DP + 1];
    sigma_max_prefix[i] = 0;
    for (int b = i; b < AC_DP; b++) {
        const bool last = b == AC_DP - 1;
        const int left_low = b <= known ? f->delta[b] : AC_DELTA_LOW;
        const int left_high = b <= known ? f->delta[b] : AC_DELTA_HIGH;
        const int right_low = last ? 0 : (b + 1 <= known ? f->delta[b + 1] : AC_DELTA_LOW);
        const int right_high = last ? 0 : (b + 1 <= known ? f->delta[b + 1] : AC_DELTA_HIGH);
        sigma_min[b] = max(0, 2 * f->t[b] + right_low - left_high);
        sigma_max_prefix[b + 1] = sigma_max_prefix[b] + 2 * f->t[b] + right_high - left_low;
    }
    const int free_mass = 2 * f->tail[i] - f->delta[i];
    int cross[AC_CONV], conv_prefix[AC_CONV + 1], cross_prefix[AC_CONV + 1];
    for (int k = 0; k < AC_CONV; k++) cross[k] = 0;
    for (int j = 0; j < fixed_bins; j++) {
        if (f->u[j] == 0) continue;
        for (int b = i; b < AC_DP; b++) cross[j + 2 * b] += 2 * f->u[j] * sigma_min[b];
    }
    conv_prefix[0] = 0;
    cross_prefix[0] = 0;
    for (int k = 0; k < AC_CONV; k++) {
        conv_prefix[k + 1] = conv_prefix[k] + f->conv[k];
        cross_prefix[k + 1] = cross_prefix[k] + cross[k];
    }
    /* Free × free products at q = b + b' (positions 2q … 2q + 2). */
    int pairs[AC_D - 1], pair_prefix[AC_D];
    for (int q = 0; q < AC_D - 1; q++) pairs[q] = 0;
    for (int b = i; b < AC_DP; b++) {
        const int x = sigma_min[b];
        if (x == 0) continue;
        pairs[2 * b] += x * x;
        for (int b2 = b + 1; b2 < AC_DP; b2++) pairs[b + b2] += 2 * x * sigma_min[b2];
    }
    pair_prefix[0] = 0;
    for (int q = 0; q < AC_D - 1; q++) pair_prefix[q + 1] = pair_prefix[q] + pairs[q];
    int mass_prefix[AC_D + 1];
    mass_prefix[0] = 0;
    for (int j = 0; j < fixed_bins; j++) mass_prefix[j + 1] = mass_prefix[j] + f->u[j];

    /* Window (l, s) first the hot one, then all in order. */
    for (int w = -1, l = 2, s = 0; l <= AC_MAXLEN;) {
        const int wl = w < 0 ? f->hot_l : l, ws = w < 0 ? f->hot_s : s;
        const int e = ws + wl - 2;
        int bound = conv_prefix[e + 1] - conv_prefix[ws] + cross_prefix[e] - cross_prefix[ws];
        const int q_low = (ws + 1) / 2, q_high = (e - 2) / 2;
        if (e >= 2 && q_low <= q_high) bound += pair_prefix[q_high + 1] - pair_prefix[q_low];
#if AC_REFINED
        const int first = max(0, ws - AC_D + 1), last = min(AC_D - 1, e);
        int in_range = 0;
        if (first < fixed_bins) in_range = mass_prefix[min(last, fixed_bins - 1) + 1] - mass_prefix[first];
        if (last >= fixed_bins) {
            const int pair_first = max(first, fixed_bins) / 2, pair_last = last / 2;
            in_range += min(free_mass, sigma_max_prefix[pair_last + 1] - sigma_max_prefix[pair_first]);
        }
        bound -= 2 * (wl - 1) * in_range;
#endif
        const int value = bound - ac_constant_correction(wl, ws);
        if (hot_value) {
            *hot_value = value;
            return false;
        }
        if (value > cut[wl]) {
            f->hot_l = wl;
            f->hot_s = ws;
            return true;
        }
        if (w++ >= 0 && ++s > 2 * AC_D - l) {
            l++;
            s = 0;
        }
    }
    return false;
}

inline bool ac_child_cuts(ac_child_tree *f, const int i, const bool sigma_known, const int *cut)
{
    return ac_child_scan(f, i, sigma_known, cut, 0);
}

/* Whether the hot window alone cuts the (pair i, Δ_{i+1}) node: ac_child_cuts' first check. */
inline bool ac_child_hot_cuts(ac_child_tree *f, const int i, const int *cut)
{
    int y = 0;
    ac_child_scan(f, i, true, cut, &y);
    return y > cut[f->hot_l];
}

/*
 * The split quadratic (ChildSearch.splitQuadratic, whose comment proves it exact): below the
 * split (v, σ − v) of pair i (pairs < i split, Δ_{i+1} known) the hot window's value
 * (ac_child_scan's hot_value) is y0 + v·slope + v(v−1)/2·curvature for every v in 0 … σ, an integer
 * polynomial of degree <= 2 in v, here taken through its values at v = 0, 1, 2 (σ >= 2). A split
 * it cuts (value > cut of the hot window) is one ac_child_cuts(f, i + 1, false, …) would cut with
 * its first check, the hot window, leaving the hot window as it is; any other split goes through
 * ac_child_cuts as before. When the hot window changes, the new quadratic's least value over the
 * splits left (ac_split_quadratic_cuts_run) may cut them all at once, and the (pair i, Δ_{i+1})
 * node itself is tried on the hot window only. Only subtrees every child of which fails are cut,
 * so counts and survivors are those without it; the node counters differ (fewer splits visited),
 * and equal the CPU's, which makes the same checks in the same order (ChildSearch.descend).
 *
 * Overflow. y0, y1, y2 are window values of real nodes, computed in `int` exactly as
 * ac_child_cuts computes them (|y| < 2^31, the header's bound). The rest is `long` (64-bit):
 * slope = y1 − y0 and curvature = y2 − 2·y1 + y0, so |slope| < 2^32 and |curvature| < 2^33 in
 * any case; v <= σ_i <= S <= AC_MAX_S = 46,340 < 2^16, so |v·slope| < 2^48 and
 * v(v−1)/2 < 2^30. The curvature is in fact twice the coefficient of v² in the window sum: only
 * the bins of pair i carry v², as +v², −2v² and +v² at positions 4i, 4i+1, 4i+2 of the conv
 * (cross terms, masses and the free pairs are linear in v or free of it), and a window holds a
 * contiguous run of those, so the curvature is one of −4, −2, 0, 2. The kernel does not rely on
 * that for soundness: a quadratic with |curvature| > 4 is not used (`ok` false; such a node's
 * splits all go through ac_child_cuts), so |v(v−1)/2·curvature| <= 2^32 and the value
 * |y0 + v·slope + v(v−1)/2·curvature| < 2^31 + 2^48 + 2^32 < 2^49 never overflows. (The CPU,
 * whose Int64 arithmetic traps on overflow, has the same magnitudes without the test.)
 */
typedef struct {
    int hot_l, hot_s;        /* the window it is of; hot_l 0: none yet */
    bool ok;                 /* |curvature| <= 4: usable */
    long y0, slope, curvature;
} ac_split_quadratic;

/* The hot window's value below the split (x, σ − x) of pair i. */
inline int ac_child_split_value(ac_child_tree *f, const int i, const int sigma, const int x, const int *cut)
{
    int y = 0;
    ac_child_tree_place(f, i, x, sigma - x, 1);
    ac_child_scan(f, i + 1, false, cut, &y);
    ac_child_tree_place(f, i, x, sigma - x, -1);
    return y;
}

inline void ac_split_quadratic_make(ac_child_tree *f, const int i, const int sigma, const int *cut, ac_split_quadratic *q)
{
    const long y0 = ac_child_split_value(f, i, sigma, 0, cut);
    const long y1 = ac_child_split_value(f, i, sigma, 1, cut);
    const long y2 = ac_child_split_value(f, i, sigma, 2, cut);
    q->hot_l = f->hot_l;
    q->hot_s = f->hot_s;
    q->y0 = y0;
    q->slope = y1 - y0;
    q->curvature = y2 - 2 * y1 + y0;
    q->ok = q->curvature >= -4 && q->curvature <= 4;
}

inline long ac_split_quadratic_value(const ac_split_quadratic *q, const long x)
{
    return q->y0 + x * q->slope + (x * (x - 1) / 2) * q->curvature;
}

/* Whether the quadratic cuts the split (v, σ − v): exactly ac_child_cuts' first check there. */
inline bool ac_split_quadratic_cuts(const ac_split_quadratic *q, const int v, const int *cut)
{
    return q->ok && ac_split_quadratic_value(q, v) > (long)cut[q->hot_l];
}

/*
 * Whether the quadratic cuts every split v … σ (SplitQuadratic.minimum): its least value there
 * is at an end, or, when curvature > 0, where the forward difference slope + x·curvature turns
 * >= 0, at x = ⌈−slope / curvature⌉ clamped to [v, σ]. (OpenCL's `/` truncates toward zero like
 * Swift's, so the quotient is rounded up by hand.) Same magnitudes as ac_split_quadratic_cuts.
 */
inline bool ac_split_quadratic_cuts_run(const ac_split_quadratic *q, const int v, const int sigma, const int *cut)
{
    if (!q->ok) return false;
    long least = min(ac_split_quadratic_value(q, v), ac_split_quadratic_value(q, sigma));
    if (q->curvature > 0) {
        const long quotient = -q->slope / q->curvature, rest = -q->slope % q->curvature;
        const long turn = quotient + (rest > 0 ? 1 : 0);
        least = min(least, ac_split_quadratic_value(q, clamp(turn, (long)v, (long)sigma)));
    }
    return least > (long)cut[q->hot_l];
}

/* Per-work-item tallies and the survivor sink. */
typedef struct {
    ulong asym, test, survivors;
    __global uint *survivor_count;
    __global ac_child_survivor *survivor_slots;
    uint capacity;
    ulong parent;
#if AC_STATS
    ulong stats[AC_STATS_SIZE];
#endif
} ac_child_tally;

/*
 * The last pair: its splits v in the range are the leaves of one sweep (search.cl) with the
 * fixed bins u_0 … u_{d-3} and R = σ; `first` is the index of v = 0.
 */
inline void ac_child_sweep(ac_child_tree *f, ac_sweep_side *side, const int sigma, const ac_u128 first,
                           const ac_u128 lo, const ac_u128 hi, const int *cut, ac_child_tally *tally)
{
    const int v_low = ac_u128_less(first, lo) ? (int)ac_u128_sub(lo, first).lo : 0;
    const ac_u128 span = ac_u128_sub(hi, first);
    const int v_high = (span.hi != 0 || span.lo > (ulong)sigma) ? sigma : (int)span.lo - 1;
    int c[AC_D];
    for (int j = 0; j < AC_X; j++) c[j] = f->u[j];
    c[AC_X] = sigma;
    c[AC_Y] = 0;
    ac_sweep sweep;
    ac_sweep_prepare(c, f->conv, &sweep);
    ac_sweep_side_begin(side, &sweep, v_low, v_high, cut, true);
    AC_COUNT_TOTAL(AC_STAT_LEAF_SWEEPS, 1);
    if (side->all) AC_COUNT_TOTAL(AC_STAT_SWEEPS_DECIDED, 1);
    else AC_COUNT_TOTAL(AC_STAT_LEAVES_EVALUATED, (ulong)(v_high - v_low + 1));
    int prefix[AC_CONV + 1], mass[AC_D + 1];
    for (int v = v_low; v <= v_high; v++) {
        if (side->all) {
            tally->test += (ulong)(v_high - v + 1);
            break;
        }
        bool ready = false;
        if (ac_sweep_side_exceeds(side, &sweep, v, v_high, cut, true, prefix, mass, &ready)) {
            tally->test++;
            continue;
        }
        tally->survivors++;
        const uint slot = atomic_inc(tally->survivor_count);
        if (slot < tally->capacity) {
            const ac_u128 index = ac_u128_add(first, ac_u128_make((ulong)v, 0));
            tally->survivor_slots[slot].parent = tally->parent;
            tally->survivor_slots[slot].index_lo = index.lo;
            tally->survivor_slots[slot].index_hi = index.hi;
        }
    }
}

/*
 * Classifies the children [lo, hi) of the family's parent: ChildSearch.descend with an explicit
 * stack. At pair i, stage 0 tries the choices of Δ_{i+1} (next_right[i]) and stage 1 the
 * splits v[i] of the chosen σ_i, whose child blocks begin at start[i] and hold below[i] each.
 */
inline void ac_child_range(ac_child_tree *f, ac_sweep_side *side, const ac_u128 lo, const ac_u128 hi,
                           __constant const int *caps, const int *cut, ac_child_tally *tally)
{
    int stage[AC_DP], next_right[AC_DP], sig[AC_DP], v[AC_DP];
    ac_u128 offset[AC_DP], start[AC_DP], below[AC_DP];
#if AC_SPLIT_QUADRATICS
    ac_split_quadratic quadratic[AC_DP];   /* of pair i's current Δ node (ChildSearch.descend) */
#endif
    int i = 0;
    stage[0] = 0;
    next_right[0] = AC_DELTA_LOW;
    offset[0] = ac_u128_make(0, 0);
    for (;;) {
        if (stage[i] == 0) {
            const int right = next_right[i], last_right = i < AC_DP - 1 ? AC_DELTA_HIGH : 0;
            if (right > last_right) {
                /* Pair i is done: back to the split of pair i − 1 that led here. */
                if (i == 0) return;
                i--;
                ac_child_tree_place(f, i, v[i], sig[i] - v[i], -1);
                v[i]++;
                start[i] = ac_u128_add(start[i], below[i]);
                continue;
            }
            next_right[i] = right + 1;
            const int sigma = 2 * f->t[i] + right - f->delta[i];
            if (sigma < 0) continue;
            const ac_u128 block = ac_completions(f, i + 1, right);
            const ac_u128 size = ac_u128_times(block, (ulong)(sigma + 1));
            const ac_u128 first = offset[i];
            offset[i] = ac_u128_add(first, size);
            const ulong clipped = ac_overlap(first, size, lo, hi);
            if (clipped == 0) {
                if (!ac_u128_less(first, hi)) next_right[i] = last_right + 1;
                continue;
            }
            f->delta[i + 1] = right;
            AC_COUNT(AC_STAT_DELTA_NODES, i);
            if (i == AC_HALF_PARENT - 1 && f->asym[right - AC_DELTA_LOW]) {
                AC_COUNT(AC_STAT_ASYMMETRY_CUTS, i);
                tally->asym += clipped;
                continue;
            }
            const bool decided = i >= AC_HALF_PARENT - 1 || !f->any_asym;
            /* With split quadratics only the hot window is tried here (ChildSearch.descend says
             * why): the splits find any other window that cuts, and cut their run at once. */
            const bool hot_only = AC_SPLIT_QUADRATICS && i < AC_DP - 1 && sigma >= 2;
            if (decided && (hot_only ? ac_child_hot_cuts(f, i, cut) : ac_child_cuts(f, i, true, cut))) {
                AC_COUNT(AC_STAT_DELTA_WINDOW_CUTS, i);
                tally->test += clipped;
                continue;
            }
            if (i == AC_DP - 1) {
                ac_child_sweep(f, side, sigma, first, lo, hi, cut, tally);
                continue;
            }
            stage[i] = 1;
#if AC_SPLIT_QUADRATICS
            quadratic[i].hot_l = 0;
#endif
            sig[i] = sigma;
            v[i] = 0;
            below[i] = block;
            start[i] = first;
            continue;
        }
        if (v[i] > sig[i]) {
            stage[i] = 0;
            continue;
        }
        const ac_u128 child_end = ac_u128_add(start[i], below[i]);
        if (!ac_u128_less(lo, child_end)) {
            v[i]++;
            start[i] = child_end;
            continue;
        }
        if (!ac_u128_less(start[i], hi)) {
            stage[i] = 0;
            continue;
        }
        /* Below here Δ_{i+1} is known, so asymmetry is decided from pair n/2 − 1 on. */
        const bool decided = i + 1 >= AC_HALF_PARENT || !f->any_asym;
        const int a = v[i], b = sig[i] - v[i];
#if AC_SPLIT_QUADRATICS
        /* A new hot window: its quadratic, and the rest of the splits cut at once if it cuts all. */
        ac_split_quadratic *q = &quadratic[i];
        const bool quadratics = decided && sig[i] >= 2;
        if (quadratics && (q->hot_l != f->hot_l || q->hot_s != f->hot_s)) {
            ac_split_quadratic_make(f, i, sig[i], cut, q);
            if (ac_split_quadratic_cuts_run(q, a, sig[i], cut)) {
                AC_COUNT(AC_STAT_SPLIT_RUN_CUTS, i);
                tally->test += ac_overlap(start[i], ac_u128_times(below[i], (ulong)(sig[i] - a + 1)), lo, hi);
                stage[i] = 0;
                continue;
            }
        }
#endif
        AC_COUNT(AC_STAT_SPLIT_NODES, i);
        bool cut_here = decided && (a > caps[2 * i] || b > caps[2 * i + 1]);
        if (cut_here) AC_COUNT(AC_STAT_CAP_CUTS, i);
#if AC_SPLIT_QUADRATICS
        /* The hot window's bound as a quadratic in v: ac_child_cuts' first check, in O(1). */
        if (!cut_here && quadratics) {
            cut_here = ac_split_quadratic_cuts(q, a, cut);
            if (cut_here) AC_COUNT(AC_STAT_SPLIT_WINDOW_CUTS, i);
        }
#endif
        if (!cut_here) {
            ac_child_tree_place(f, i, a, b, 1);
            cut_here = decided && ac_child_cuts(f, i + 1, false, cut);
            if (cut_here) AC_COUNT(AC_STAT_SPLIT_WINDOW_CUTS, i);
            if (!cut_here) {
                i++;
                stage[i] = 0;
                next_right[i] = AC_DELTA_LOW;
                offset[i] = start[i - 1];
                continue;
            }
            ac_child_tree_place(f, i, a, b, -1);
        }
        tally->test += ac_overlap(start[i], below[i], lo, hi);
        v[i]++;
        start[i] = child_end;
    }
}

/* Sums two work-items' counts (AC_GROUP_RESULT). */
inline void ac_child_merge(__local ac_child_counts *into, __local const ac_child_counts *from)
{
    into->asym_pruned += from->asym_pruned;
    into->test_pruned += from->test_pruned;
    into->survivors += from->survivors;
}

/* Classifies the children with launch-local index in [begin, end): the ranges of the segments
 * it overlaps, found by binary search for the last segment starting at or before `begin`. */
inline void ac_child_chunk(const ulong begin, const ulong end, const ulong total, const uint segment_count,
                           __global const ac_child_segment *segments, __global const int *parents,
                           __global const ulong *completions, __constant const int *caps, const int *cut,
                           const int asym_cut, ac_child_tree *family, ac_sweep_side *side, ac_child_tally *tally)
{
    uint k = 0, upper = segment_count;
    while (upper - k > 1) {
        const uint mid = (k + upper) / 2;
        if (segments[mid].start <= begin) k = mid; else upper = mid;
    }
    for (; k < segment_count && segments[k].start < end; k++) {
        const ulong seg_start = segments[k].start;
        const ulong seg_end = k + 1 < segment_count ? segments[k + 1].start : total;
        const ulong from = max(begin, seg_start), to = min(end, seg_end);
        if (from >= to) continue;
        const ulong p = segments[k].parent;
        const ac_u128 first = ac_u128_make(segments[k].first_lo, segments[k].first_hi);
        ac_child_tree_begin(family, parents + p * AC_DP, completions + p * 2 * (AC_DP + 1) * AC_WIDTH, asym_cut);
        tally->parent = p;
        ac_child_range(family, side, ac_u128_add(first, ac_u128_make(from - seg_start, 0)),
                       ac_u128_add(first, ac_u128_make(to - seg_start, 0)), caps, cut, tally);
    }
}

/*
 * The launch's `total` children in chunks of `chunk`, handed out dynamically: each work-item
 * takes the next chunk from *next_chunk until none is left. Work per index varies by orders of
 * magnitude (a cut node accounts a huge range at once), so a static split would leave most
 * work-items idle behind a few. The host keeps chunks + work-items below 2^32.
 */
__kernel void ac_children(const ulong total, const ulong chunk, __global uint *next_chunk, const uint segment_count,
                          __global const ac_child_segment *segments,
                          __global const int *parents, __global const ulong *completions,
                          __constant const int *caps, __constant const int *cuts, const int asym_cut,
                          const uint capacity, __global uint *survivor_count,
                          __global ac_child_survivor *survivors,
                          __global ac_child_counts *results, __local ac_child_counts *scratch,
                          __global ulong *stats)
{
    ac_child_tally tally = {0, 0, 0, survivor_count, survivors, capacity, 0};
#if AC_STATS
    __local ulong group_stats[AC_STATS_SIZE];
    for (int k = 0; k < AC_STATS_SIZE; k++) tally.stats[k] = 0;
#endif
    int cut[AC_MAXLEN + 1];
    for (int l = 0; l <= AC_MAXLEN; l++) cut[l] = cuts[l];
    ac_sweep_side side;
    ac_sweep_side_init(&side);
    ac_child_tree family;
    family.hot_l = 2;
    family.hot_s = 0;
    for (;;) {
        const ulong begin = (ulong)atomic_inc(next_chunk) * chunk;
        if (begin >= total) break;
        ac_child_chunk(begin, begin + min(chunk, total - begin), total, segment_count, segments, parents,
                       completions, caps, cut, asym_cut, &family, &side, &tally);
    }

    const ac_child_counts mine = {tally.asym, tally.test, tally.survivors};
    AC_GROUP_RESULT(scratch, mine, ac_child_merge, results);
#if AC_STATS
    /* The work-group's counters: work-items add theirs one after another (diagnostics only,
     * once per launch), work-item 0 writes the sum as the group's row of `stats`. */
    const uint lid = get_local_id(0), size = get_local_size(0);
    for (uint k = lid; k < AC_STATS_SIZE; k += size) group_stats[k] = 0;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (uint r = 0; r < size; r++) {
        if (lid == r) for (int k = 0; k < AC_STATS_SIZE; k++) group_stats[k] += tally.stats[k];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    for (uint k = lid; k < AC_STATS_SIZE; k += size) stats[(ulong)get_group_id(0) * AC_STATS_SIZE + k] = group_stats[k];
#endif
}
