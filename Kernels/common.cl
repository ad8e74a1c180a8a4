/*
 * common.cl: what every kernel shares: the problem constants, unranking, the autoconvolution,
 * window sums and the exact values of method.md §2–4.
 *
 * Build options (all required): AC_N, AC_M (the grid), AC_MAXLEN (largest window length,
 * d or 2d), AC_REFINED (1 refined rule, 0 flat), AC_TABLE_SPACE (__constant when the binomial
 * table fits the device's constant memory, else __global).
 *
 * Arithmetic: parts, autoconvolution entries, window sums and W_int are 32-bit `int`.
 * Every conv entry and window sum is at most S^2 <= 46340^2 < 2^31 - 1 (the host refuses
 * larger S), and every correction K is below 2^24 (2(2d-1)S + d^2 refined, 16n^2(2m+1) flat),
 * so WS - K never leaves the int range either. Cross-multiplied comparisons of values use
 * 64-bit `long`.
 *
 * Cut-offs (AutoconvCore.WindowCutoffs): one per window length, cut[l] = floor(c * l * AC_UNIT)
 * for a value c, so that a window's value X (WS, or the rule value WS - K) exceeds c * l * AC_UNIT
 * exactly when X > cut[l]. The host clamps them to int, which changes no decision, since every
 * X and every lower bound on one lies in (-2^24, S^2].
 */

#define AC_D (2 * AC_N)
#define AC_S (4 * AC_N * AC_M)
#define AC_CONV (2 * AC_D - 1)
/* Windows (l, s), 2 <= l <= AC_MAXLEN, 0 <= s <= 2d - l, ordered by l then s. */
#define AC_WINDOWS ((AC_MAXLEN - 1) * (2 * AC_D + 1) - (AC_MAXLEN * (AC_MAXLEN + 1) / 2 - 1))
/* A window's test-value denominator is l * AC_UNIT = 4 n l m^2 <= S^2. */
#define AC_UNIT (4 * AC_N * AC_M * AC_M)
/* asym(c) = 2 (M - n)^2 / S^2 = (M - n)^2 / AC_HALF_S2. */
#define AC_HALF_S2 ((AC_S * AC_S) / 2)
#define AC_INT_MAX 2147483647

#if AC_S > AC_MAX_S
#error "S exceeds AC_MAX_S: window sums would not be exact in 32 bits"
#endif

/* N(k, r): compositions of r into k parts, at table[k * (AC_S + 1) + r], k <= d, r <= S. */
#define AC_N_PARTS(table, k, r) ((table)[(k) * (AC_S + 1) + (r)])

/* Rebuilds the composition of rank `rank` (lexicographic order, as AutoconvCore.Compositions). */
inline void ac_unrank(ulong rank, AC_TABLE_SPACE const ulong *table, int *c)
{
    int remaining = AC_S;
    for (int i = 0; i < AC_D - 1; i++) {
        const int k1 = AC_D - i; /* k + 1 parts for bins i … d-1 */
        const ulong total = AC_N_PARTS(table, k1, remaining);
        /* Largest v with total - N(k+1, remaining - v) <= rank. */
        int lo = 0, hi = remaining;
        while (lo < hi) {
            const int mid = (lo + hi + 1) / 2;
            if (total - AC_N_PARTS(table, k1, remaining - mid) <= rank) lo = mid; else hi = mid - 1;
        }
        rank -= total - AC_N_PARTS(table, k1, remaining - lo);
        c[i] = lo;
        remaining -= lo;
    }
    c[AC_D - 1] = remaining;
}

/* conv[k] = sum over ordered pairs i + j = k of c_i c_j. */
inline void ac_autoconvolution(const int *c, int *conv)
{
    for (int k = 0; k < AC_CONV; k++) conv[k] = 0;
    for (int i = 0; i < AC_D; i++) {
        conv[2 * i] += c[i] * c[i];
        for (int j = i + 1; j < AC_D; j++) conv[i + j] += 2 * c[i] * c[j];
    }
}

/* prefix[t] = conv[0] + … + conv[t-1]; WS(l, s) = prefix[s + l - 1] - prefix[s]. */
inline void ac_conv_prefix(const int *conv, int *prefix)
{
    prefix[0] = 0;
    for (int t = 0; t < AC_CONV; t++) prefix[t + 1] = prefix[t] + conv[t];
}

/* mass[i] = c_0 + … + c_{i-1}. */
inline void ac_mass_prefix(const int *c, int *mass)
{
    mass[0] = 0;
    for (int i = 0; i < AC_D; i++) mass[i + 1] = mass[i] + c[i];
}

/* Ordered pairs (i, j) of bins with i + j < t, in closed form (the total is d^2). */
inline int ac_pairs_below(const int t)
{
    return t <= AC_D ? t * (t + 1) / 2 : AC_D * AC_D - (2 * AC_D - 1 - t) * (2 * AC_D - t) / 2;
}

/* |W(l, s)|: ordered pairs of bins whose sum lies in [s, s + l - 2]. */
inline int ac_pair_count(const int l, const int s)
{
    return ac_pairs_below(s + l - 1) - ac_pairs_below(s);
}

/*
 * The correction of window (l, s) is K = coefficient * W_int + constant (method.md §3,
 * AutoconvCore.WindowTerms): coefficient 2(l - 1) and constant |W(l, s)| under the refined rule,
 * coefficient 0 and constant 4nl(2m + 1) under the flat rule. This is the constant.
 */
inline int ac_constant_correction(const int l, const int s)
{
#if AC_REFINED
    return ac_pair_count(l, s);
#else
    return 4 * AC_N * l * (2 * AC_M + 1);
#endif
}

/* The rule value WS - K of window (l, s): what the prove and certified cut-offs cut. */
inline int ac_rule_value(const int *prefix, const int *mass, const int l, const int s)
{
    const int value = prefix[s + l - 1] - prefix[s] - ac_constant_correction(l, s);
#if AC_REFINED
    const int first = max(0, s - AC_D + 1), last = min(AC_D - 1, s + l - 2);
    return value - 2 * (l - 1) * (mass[last + 1] - mass[first]);
#else
    return value;
#endif
}

/* Whether a/b > c/e for b, e > 0, exactly. */
inline bool ac_greater(const long a, const long b, const long c, const long e)
{
    return a * e > c * b;
}

/* M = max(A, S - A) with A = c_0 + … + c_{n-1}. */
inline int ac_major_mass(const int *mass)
{
    return max(mass[AC_N], AC_S - mass[AC_N]);
}

/*
 * Exact test(c) = max_w WS/(4 n l m^2) and cert(c) = max(max_w (WS - K_w)/(4 n l m^2), asym(c)),
 * as unreduced fractions with positive denominators (AutoconvCore.Evaluator).
 */
inline void ac_exact_values(const int *prefix, const int *mass, long *test_num, long *test_den,
                            long *cert_num, long *cert_den)
{
    int best_ws = -1, best_ws_l = 1;
    int best_x = 0, best_x_l = 0;
    for (int l = 2; l <= AC_MAXLEN; l++) {
        for (int s = 0; s <= 2 * AC_D - l; s++) {
            const int ws = prefix[s + l - 1] - prefix[s];
            if (ac_greater(ws, l, best_ws, best_ws_l)) { best_ws = ws; best_ws_l = l; }
            const int x = ac_rule_value(prefix, mass, l, s);
            if (best_x_l == 0 || ac_greater(x, l, best_x, best_x_l)) { best_x = x; best_x_l = l; }
        }
    }
    *test_num = best_ws;
    *test_den = (long)best_ws_l * AC_UNIT;
    const long e = ac_major_mass(mass) - AC_N;
    if (ac_greater(e * e, AC_HALF_S2, best_x, (long)best_x_l * AC_UNIT)) {
        *cert_num = e * e;
        *cert_den = AC_HALF_S2;
    } else {
        *cert_num = best_x;
        *cert_den = (long)best_x_l * AC_UNIT;
    }
}

/* c <= reverse(c) lexicographically. */
inline bool ac_is_canonical(const int *c)
{
    for (int i = 0, j = AC_D - 1; i < j; i++, j--) {
        if (c[i] != c[j]) return c[i] < c[j];
    }
    return true;
}

/*
 * Prove-mode verdict (method.md §3): asymmetry first (M >= asym_cut), then any window whose
 * rule value exceeds cut[l], else a survivor.
 */
inline int ac_verdict(const int *conv, const int *mass, __constant const int *cut, const int asym_cut)
{
    if (ac_major_mass(mass) >= asym_cut) return AC_VERDICT_ASYMMETRY;
    int prefix[AC_CONV + 1];
    ac_conv_prefix(conv, prefix);
    for (int l = 2; l <= AC_MAXLEN; l++) {
        for (int s = 0; s <= 2 * AC_D - l; s++) {
            if (ac_rule_value(prefix, mass, l, s) > cut[l]) return AC_VERDICT_TEST;
        }
    }
    return AC_VERDICT_SURVIVOR;
}

/*
 * How every search kernel ends: the work-item's result `mine` goes to scratch[lid], a tree of
 * MERGE(into, from) steps (on __local pointers) folds scratch[0 … size) into scratch[0], and
 * work-item 0 writes that as its work-group's entry of `results`.
 */
#define AC_GROUP_RESULT(scratch, mine, MERGE, results)                                   \
    do {                                                                                 \
        const uint ac_lid = get_local_id(0), ac_size = get_local_size(0);                \
        scratch[ac_lid] = (mine);                                                        \
        barrier(CLK_LOCAL_MEM_FENCE);                                                    \
        for (uint ac_stride = 1; ac_stride < ac_size; ac_stride *= 2) {                  \
            if (ac_lid % (2 * ac_stride) == 0 && ac_lid + ac_stride < ac_size)           \
                MERGE(&scratch[ac_lid], &scratch[ac_lid + ac_stride]);                   \
            barrier(CLK_LOCAL_MEM_FENCE);                                                \
        }                                                                                \
        if (ac_lid == 0) (results)[get_group_id(0)] = scratch[0];                        \
    } while (0)
