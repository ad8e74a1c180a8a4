/*
 * bound.cl: find-min mode (method.md §4) over the canonical compositions of a rank window.
 *
 * Work-item g walks ranks [first + g·per_item, …) clipped to `end` by leaf sweeps and
 * subtrees (search.cl), over canonical compositions only, as AutoconvCPU.BoundVisitor does.
 * It decides from integer cut-offs whether a subtree, a sweep or a leaf can improve either
 * minimum; only such leaves get the exact evaluation. Cuts are strict ("value > best"), and a
 * work-item only replaces its minimum by a strictly smaller value, so it keeps the smallest
 * rank among ties, and the result does not depend on the seeds or on timing.
 *
 * The seeds are minima of earlier launches of the same job (den == 0: none); they only make
 * the cuts sharper. Each work-group writes the minimum of its work-items (value, then rank).
 *
 * Shared keys: `keys[0]` (test) and `keys[1]` (cert) hold ⌈value · AC_KEY_ONE⌉ of the best
 * values any work-item of the job has found so far (UINT_MAX: none), lowered with atomic_min
 * and read at every sweep. A key is at least a value that some composition of the job's range
 * attains, so a cut from it never removes a composition whose value is the job's minimum: it
 * sharpens the cuts early (most of all in a job's first launch, which has no seeds), and the
 * result still does not depend on timing.
 */

/* Keys are fixed-point with 24 fraction bits; values are below 2n <= 2^7, so keys fit 32 bits. */
#define AC_KEY_ONE (1L << 24)

/* a strictly better than b: smaller value, then smaller rank; "none" (den == 0) is worst. */
inline bool ac_better(const ac_minimum a, const ac_minimum b)
{
    if (a.den == 0) return false;
    if (b.den == 0) return true;
    const long left = a.num * b.den, right = b.num * a.den;
    if (left != right) return left < right;
    return a.rank < b.rank;
}

/* The smaller of two values (ranks ignored): the best known value, which the cuts use. */
inline ac_minimum ac_smaller_value(const ac_minimum a, const ac_minimum b)
{
    if (a.den == 0) return b;
    if (b.den == 0) return a;
    return a.num * b.den <= b.num * a.den ? a : b;
}

/* ⌊value · k⌋ clamped to ±AC_INT_MAX, or AC_INT_MAX for "none". Every left side it is
 * compared with lies strictly inside ±AC_INT_MAX, so the clamp never changes a decision. */
inline int ac_cut(const ac_minimum value, const long k)
{
    if (value.den == 0) return AC_INT_MAX;
    const long p = value.num * k;
    long q = p / value.den;
    if (p % value.den != 0 && p < 0) q -= 1;
    return (int)clamp(q, (long)-AC_INT_MAX, (long)AC_INT_MAX);
}

/* Least M in [S/2, S] with asym = (M - n)^2 / AC_HALF_S2 > value, or S + 1 (AutoconvCore
 * Asymmetry.cutoffAbove). (M - n)^2 · den < 2^62, value.num · AC_HALF_S2 < 2^62. */
inline int ac_asymmetry_cut(const ac_minimum value)
{
    if (value.den == 0) return AC_S + 1;
    int lo = AC_S / 2, hi = AC_S + 1;
    while (lo < hi) {
        const int mid = (lo + hi) / 2;
        const long e = mid - AC_N;
        if (e * e * value.den > value.num * (long)AC_HALF_S2) hi = mid; else lo = mid + 1;
    }
    return lo;
}

/* The cut-offs of the best values (common.cl, AutoconvCore.BoundCutoffs): a window exceeds the
 * test value when WS > test_cut[l], the certified value when its rule value WS - K > cert_cut[l]. */
inline void ac_bound_cuts(const ac_minimum test, const ac_minimum cert, int *test_cut, int *cert_cut, int *asym_cut)
{
    for (int l = 2; l <= AC_MAXLEN; l++) {
        test_cut[l] = ac_cut(test, (long)l * AC_UNIT);
        cert_cut[l] = ac_cut(cert, (long)l * AC_UNIT);
    }
    *asym_cut = ac_asymmetry_cut(cert);
}

/* ⌈value · AC_KEY_ONE⌉, or UINT_MAX when it does not fit (then the key cuts nothing). value.num
 * < 2^31 (common.cl), so the product fits 56 bits. */
inline uint ac_key(const ac_minimum value)
{
    if (value.num <= 0) return 0;
    const long key = (value.num * AC_KEY_ONE + value.den - 1) / value.den;
    return (uint)min(key, (long)UINT_MAX);
}

/* The value a key stands for, as a minimum for the cuts (den == 0 for UINT_MAX: none). With
 * num < 2^32 and den = 2^24, every cross product with a value (den <= S^2 < 2^31) and every
 * product in ac_cut and ac_asymmetry_cut stays below 2^63. */
inline ac_minimum ac_key_value(const uint key)
{
    ac_minimum value;
    value.num = key;
    value.den = key == UINT_MAX ? 0 : AC_KEY_ONE;
    value.rank = 0;
    return value;
}

/* Whether no composition of the subtree can improve either minimum (BoundVisitor.skipsSubtree):
 * c_0 > R (then c_{d-1} <= R < c_0, none is canonical), or some window's lower bound exceeds
 * the test cut and either the fixed left mass (k >= n) or some lower bound exceeds the cert cuts. */
inline bool ac_bound_skips(const int *c, const ac_subtree *tree, const int *test_cut, const int *cert_cut, const int asym_cut)
{
    if (c[0] > tree->R) return true;
    if (!ac_subtree_exceeds(tree, test_cut, false)) return false;
    if (tree->k >= AC_N && ac_major_mass(tree->mass) >= asym_cut) return true;
    return ac_subtree_exceeds(tree, cert_cut, true);
}

/* The work-item's state in find-min mode. */
typedef struct {
    ac_minimum test, cert;           /* its minima so far */
    ac_minimum seed_test, seed_cert; /* the launch's seeds */
    uint test_key, cert_key;         /* the shared keys its cuts include */
    int test_cut[AC_MAXLEN + 1], cert_cut[AC_MAXLEN + 1], asym_cut;
    ac_sweep_side test_side, cert_side;
} ac_bound_state;

/* Cut-offs from the best of the work-item's minima, the seeds and the shared keys. */
inline void ac_bound_update_cuts(ac_bound_state *state)
{
    const ac_minimum test = ac_smaller_value(ac_smaller_value(state->test, state->seed_test), ac_key_value(state->test_key));
    const ac_minimum cert = ac_smaller_value(ac_smaller_value(state->cert, state->seed_cert), ac_key_value(state->cert_key));
    ac_bound_cuts(test, cert, state->test_cut, state->cert_cut, &state->asym_cut);
    state->test_side.cut = state->test_cut[state->test_side.l];
    state->cert_side.cut = state->cert_cut[state->cert_side.l];
}

/* Takes up shared keys that other work-items have lowered. */
inline void ac_bound_read_keys(ac_bound_state *state, volatile __global uint *keys)
{
    const uint test_key = keys[0], cert_key = keys[1];
    if (test_key < state->test_key || cert_key < state->cert_key) {
        state->test_key = min(test_key, state->test_key);
        state->cert_key = min(cert_key, state->cert_key);
        ac_bound_update_cuts(state);
    }
}

/* Exact values of a leaf that may improve a minimum (rare); new minima sharpen the cuts. */
inline void ac_bound_record(ac_bound_state *state, const int *leaf, const ulong rank, volatile __global uint *keys)
{
    int conv[AC_CONV], prefix[AC_CONV + 1], mass[AC_D + 1];
    ac_autoconvolution(leaf, conv);
    ac_conv_prefix(conv, prefix);
    ac_mass_prefix(leaf, mass);
    ac_minimum test, cert;
    ac_exact_values(prefix, mass, &test.num, &test.den, &cert.num, &cert.den);
    test.rank = rank;
    cert.rank = rank;
    bool changed = false;
    if (ac_better(test, state->test)) {
        state->test = test;
        atomic_min(&keys[0], ac_key(test));
        changed = true;
    }
    if (ac_better(cert, state->cert)) {
        state->cert = cert;
        atomic_min(&keys[1], ac_key(cert));
        changed = true;
    }
    if (changed) ac_bound_update_cuts(state);
}

/*
 * The canonical leaves v in [lo, hi] of the walk's sweep (BoundVisitor.sweep): for d > 2,
 * v < R - c_0 are canonical, v > R - c_0 are not, and v = R - c_0 needs the full comparison;
 * for d = 2, v <= R/2. A leaf is skipped when some window exceeds the test cut and the left
 * mass (fixed for d > 2) or some window exceeds the cert cuts.
 */
inline void ac_bound_sweep(ac_bound_state *state, const ac_walk *walk, const int lo, const int hi, volatile __global uint *keys)
{
    const int R = walk->c[AC_X] + walk->c[AC_Y];
#if AC_D > 2
    const int tie = R - walk->c[0];
#else
    const int tie = R / 2;
#endif
    const int last = min(hi, tie);
    if (lo > last) return;
    ac_bound_read_keys(state, keys);
    ac_sweep sweep;
    ac_sweep_prepare(walk->c, walk->conv, &sweep);
    const int fixed_major = ac_major_mass(sweep.mass); /* the left mass is fixed for d > 2 */
    ac_sweep_side_begin(&state->test_side, &sweep, lo, last, state->test_cut, false);
    const bool asym_fixed = AC_D > 2 && fixed_major >= state->asym_cut;
    if (!asym_fixed) ac_sweep_side_begin(&state->cert_side, &sweep, lo, last, state->cert_cut, true);
    int prefix[AC_CONV + 1], mass[AC_D + 1], leaf[AC_D];
    for (int v = lo; v <= last; v++) {
        /* asym_cut only falls, so a fixed left mass that prunes keeps pruning. */
        const bool asym_all = AC_D > 2 && fixed_major >= state->asym_cut;
        if (state->test_side.all && (asym_all || state->cert_side.all)) return;
        bool ready = false;
        if (ac_sweep_side_exceeds(&state->test_side, &sweep, v, last, state->test_cut, false, prefix, mass, &ready)) {
            /* For d = 2 (n = 1) the left mass is c_0 = v. */
            if (asym_all || (AC_D == 2 && max(v, AC_S - v) >= state->asym_cut)) continue;
            if (ac_sweep_side_exceeds(&state->cert_side, &sweep, v, last, state->cert_cut, true, prefix, mass, &ready)) continue;
        }
        ac_walk_leaf(walk, v, leaf);
        if (AC_D > 2 && v == tie && !ac_is_canonical(leaf)) return;
        ac_bound_record(state, leaf, walk->rank + (ulong)(v - lo), keys);
    }
}

/* The better minima of two work-items' results (AC_GROUP_RESULT). */
inline void ac_bound_merge(__local ac_bound_result *into, __local const ac_bound_result *from)
{
    if (ac_better(from->test, into->test)) into->test = from->test;
    if (ac_better(from->cert, into->cert)) into->cert = from->cert;
}

__kernel void ac_bound(const ulong first, const ulong end, const ulong per_item,
                       AC_TABLE_SPACE const ulong *table,
                       const long seed_test_num, const long seed_test_den,
                       const long seed_cert_num, const long seed_cert_den, volatile __global uint *keys,
                       __global ac_bound_result *results, __local ac_bound_result *scratch)
{
    ac_bound_state state;
    state.test.num = 0; state.test.den = 0; state.test.rank = 0;
    state.cert = state.test;
    const ulong offset = get_global_id(0) * per_item;
    if (offset < end - first) {
        const ulong rank = first + offset;
        state.seed_test.num = seed_test_num; state.seed_test.den = seed_test_den; state.seed_test.rank = 0;
        state.seed_cert.num = seed_cert_num; state.seed_cert.den = seed_cert_den; state.seed_cert.rank = 0;
        ac_sweep_side_init(&state.test_side);
        ac_sweep_side_init(&state.cert_side);
        state.test_key = keys[0];
        state.cert_key = keys[1];
        ac_bound_update_cuts(&state);
        ac_walk walk;
        ac_walk_begin(&walk, rank, rank + min(per_item, end - rank), table);
        for (;;) {
            ac_subtree tree;
            ulong count;
            if (ac_walk_at_subtree(&walk, &tree, &count)) {
                if (ac_bound_skips(walk.c, &tree, state.test_cut, state.cert_cut, state.asym_cut)) {
                    if (!ac_walk_skip(&walk, &tree, ac_walk_subtree_size(&walk, &tree, table))) break;
                } else {
                    walk.level++;
                }
                continue;
            }
            const int lo = walk.c[AC_X];
            ac_bound_sweep(&state, &walk, lo, lo + (int)count - 1, keys);
            if (!ac_walk_next_sweep(&walk, count)) break;
        }
    }

    const ac_bound_result mine = {state.test, state.cert};
    AC_GROUP_RESULT(scratch, mine, ac_bound_merge, results);
}
