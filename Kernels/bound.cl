/*
 * bound.cl: find-min mode (method.md §4) over the canonical compositions of a rank window.
 *
 * Work-item g walks ranks [first + g·per_item, …) clipped to `end`: it unranks its first
 * composition and steps through the rest with the odometer (common.cl). For each canonical
 * composition it decides, from integer cut-offs, whether the composition can improve either
 * minimum; only those get the exact evaluation. Cuts are strict ("value > best"), and a
 * work-item only replaces its minimum by a strictly smaller value, so it keeps the smallest
 * rank among ties, and the result does not depend on the seeds or on timing.
 *
 * The seeds are minima of earlier launches of the same job (den == 0: none); they only make
 * the cuts sharper. Each work-group writes the minimum of its work-items (value, then rank).
 */

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

/* clamp(⌊value · k⌋ + add) to ±AC_INT_MAX, or AC_INT_MAX for "none". Every left side it is
 * compared with lies strictly inside ±AC_INT_MAX, so the clamp never changes a decision. */
inline int ac_cut(const ac_minimum value, const long k, const long add)
{
    if (value.den == 0) return AC_INT_MAX;
    const long p = value.num * k;
    long q = p / value.den;
    if (p % value.den != 0 && p < 0) q -= 1;
    return (int)clamp(q + add, (long)-AC_INT_MAX, (long)AC_INT_MAX);
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

/* Per-length cut-offs: test prunes a window when WS > test_cut[l]; cert when
 * (WS - coefficient·W_int - refined pair count) > cert_cut[l] (flat: the flat correction is
 * folded into cert_cut). */
inline void ac_bound_cuts(const ac_minimum test, const ac_minimum cert, int *test_cut, int *cert_cut, int *asym_cut)
{
    for (int l = 2; l <= AC_MAXLEN; l++) {
        test_cut[l] = ac_cut(test, (long)l * AC_UNIT, 0);
#if AC_REFINED
        cert_cut[l] = ac_cut(cert, (long)l * AC_UNIT, 0);
#else
        cert_cut[l] = ac_cut(cert, (long)l * AC_UNIT, 4L * AC_N * l * (2 * AC_M + 1));
#endif
    }
    *asym_cut = ac_asymmetry_cut(cert);
}

/* Some window has test value > the cut: test(c) cannot improve the minimum. */
inline bool ac_test_exceeds(const int *prefix, const int *test_cut)
{
    for (int l = 2; l <= AC_MAXLEN; l++) {
        for (int s = 0; s <= 2 * AC_D - l; s++) {
            if (prefix[s + l - 1] - prefix[s] > test_cut[l]) return true;
        }
    }
    return false;
}

/* Some window has (WS - K_w)/(4nlm^2) > the cut: cert(c) cannot improve the minimum. */
inline bool ac_cert_exceeds(const int *prefix, const int *mass, const int *cert_cut)
{
    for (int l = 2; l <= AC_MAXLEN; l++) {
        for (int s = 0; s <= 2 * AC_D - l; s++) {
#if AC_REFINED
            if (ac_rule_value(prefix, mass, l, s) - ac_pair_count(l, s) > cert_cut[l]) return true;
#else
            if (prefix[s + l - 1] - prefix[s] > cert_cut[l]) return true;
#endif
        }
    }
    return false;
}

#if AC_D > 2
/* Whether no composition of the leaf block can improve either minimum (see ac_block in
 * common.cl): some window's lower bound exceeds the test cut, and the fixed left mass or
 * some window's lower bound exceeds the cert cuts. Also true when c_0 > R, since then
 * c_{d-1} <= R < c_0 and no completion is canonical. */
inline bool ac_block_skippable(const int *c, const int *test_cut, const int *cert_cut, const int asym_cut)
{
    ac_block block;
    ac_block_prepare(c, &block);
    if (c[0] > block.free_mass) return true;
    bool test_exceeds = false;
    for (int l = 2; l <= AC_MAXLEN && !test_exceeds; l++) {
        for (int s = 0; s <= 2 * AC_D - l; s++) {
            if (ac_block_sum_low(&block, l, s) > test_cut[l]) { test_exceeds = true; break; }
        }
    }
    if (!test_exceeds) return false;
    if (ac_major_mass(block.mass) >= asym_cut) return true;
    for (int l = 2; l <= AC_MAXLEN; l++) {
        for (int s = 0; s <= 2 * AC_D - l; s++) {
#if AC_REFINED
            if (ac_block_rule_low(&block, l, s) - ac_pair_count(l, s) > cert_cut[l]) return true;
#else
            if (ac_block_sum_low(&block, l, s) > cert_cut[l]) return true;
#endif
        }
    }
    return false;
}
#endif

__kernel void ac_bound(const ulong first, const ulong end, const ulong per_item,
                       AC_TABLE_SPACE const ulong *table,
                       const long seed_test_num, const long seed_test_den,
                       const long seed_cert_num, const long seed_cert_den,
                       __global ac_bound_result *results, __local ac_bound_result *scratch)
{
    ac_bound_result mine;
    mine.test.num = 0; mine.test.den = 0; mine.test.rank = 0;
    mine.cert = mine.test;
    const ulong offset = get_global_id(0) * per_item;
    if (offset < end - first) {
        ulong rank = first + offset;
        const ulong stop = rank + min(per_item, end - rank);
        ac_minimum seed_test, seed_cert;
        seed_test.num = seed_test_num; seed_test.den = seed_test_den; seed_test.rank = 0;
        seed_cert.num = seed_cert_num; seed_cert.den = seed_cert_den; seed_cert.rank = 0;
        int c[AC_D], conv[AC_CONV], prefix[AC_CONV + 1], mass[AC_D + 1];
        int test_cut[AC_MAXLEN + 1], cert_cut[AC_MAXLEN + 1], asym_cut;
        ac_bound_cuts(seed_test, seed_cert, test_cut, cert_cut, &asym_cut);
        ac_unrank(rank, table, c);
        ac_autoconvolution(c, conv);
        bool block_start = true;
        for (;;) {
#if AC_D > 2
            if (block_start && ac_block_skippable(c, test_cut, cert_cut, asym_cut)) {
                /* Jump to the block's last composition, (…, R, 0), c_{d-1} ranks later; the
                 * carry in ac_step then rebuilds conv. */
                const ulong rest = (ulong)c[AC_D - 1];
                if (rest >= stop - rank) break;
                rank += rest;
                c[AC_D - 2] += c[AC_D - 1];
                c[AC_D - 1] = 0;
            } else
#endif
            if (ac_is_canonical(c)) {
                ac_conv_prefix(conv, prefix);
                ac_mass_prefix(c, mass);
                if (!ac_test_exceeds(prefix, test_cut)
                    || (ac_major_mass(mass) < asym_cut && !ac_cert_exceeds(prefix, mass, cert_cut))) {
                    ac_minimum test, cert;
                    ac_exact_values(prefix, mass, &test.num, &test.den, &cert.num, &cert.den);
                    test.rank = rank;
                    cert.rank = rank;
                    bool changed = false;
                    if (ac_better(test, mine.test)) { mine.test = test; changed = true; }
                    if (ac_better(cert, mine.cert)) { mine.cert = cert; changed = true; }
                    if (changed) {
                        ac_bound_cuts(ac_smaller_value(mine.test, seed_test), ac_smaller_value(mine.cert, seed_cert),
                                      test_cut, cert_cut, &asym_cut);
                    }
                }
            }
            if (++rank == stop) break;
            block_start = c[AC_D - 1] == 0; /* the step carries into a new leaf block */
            ac_step(c, conv);
        }
    }

    const uint lid = get_local_id(0), size = get_local_size(0);
    scratch[lid] = mine;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (uint stride = 1; stride < size; stride *= 2) {
        if (lid % (2 * stride) == 0 && lid + stride < size) {
            if (ac_better(scratch[lid + stride].test, scratch[lid].test)) scratch[lid].test = scratch[lid + stride].test;
            if (ac_better(scratch[lid + stride].cert, scratch[lid].cert)) scratch[lid].cert = scratch[lid + stride].cert;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (lid == 0) results[get_group_id(0)] = scratch[0];
}
