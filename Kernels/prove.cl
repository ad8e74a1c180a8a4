/*
 * prove.cl: prove mode (method.md §3) over every composition of a rank window, reverses
 * included. Work-items walk contiguous ranges by leaf sweeps and subtrees (search.cl) and
 * classify each composition as AutoconvCPU.ProveVisitor does: asymmetry first (M >= asym_cut),
 * then any window whose rule value WS - K exceeds cut[l] (common.cl), else a survivor. Each
 * work-group writes its counts.
 *
 * Survivors: when `collect` is set, each survivor takes a slot from the global counter
 * *survivor_count and writes its rank there if the slot is below `capacity`. The counter keeps
 * counting past the capacity, so the host sees an overflow and knows the exact size a re-run
 * needs; no survivor is ever dropped silently. Slots are taken in no particular order: the
 * host sorts the ranks. A launch covers fewer than 2^32 ranks, so the counter cannot wrap.
 */

/* Counts of one work-item (fewer than 2^32 ranks per launch). */
typedef struct {
    uint asym, test, survivors, canonical;
} ac_prove_tally;

/*
 * Whether the subtree is accounted at once (ProveVisitor.skipsSubtree): by asymmetry when its
 * least possible major mass prunes, or, when no completion is asymmetry-pruned, by a window
 * whose lower bound exceeds its cut-off.
 */
inline bool ac_prove_skips(const ac_subtree *tree, const int *cut, const int asym_cut, const uint size, ac_prove_tally *tally)
{
    const int fixed_left = tree->mass[min(tree->k, AC_N)];
    const int left_max = tree->k >= AC_N ? fixed_left : fixed_left + tree->R;
    /* M = max(A, S - A) is smallest where A is nearest S/2. */
    const int left_nearest = min(max(AC_S / 2, fixed_left), left_max);
    if (max(left_nearest, AC_S - left_nearest) >= asym_cut) {
        tally->asym += size;
        return true;
    }
    if (max(left_max, AC_S - fixed_left) >= asym_cut) return false;
    if (ac_subtree_exceeds(tree, cut, true)) {
        tally->test += size;
        return true;
    }
    return false;
}

/* Sums two work-items' counts (AC_GROUP_RESULT). */
inline void ac_prove_merge(__local ac_prove_counts *into, __local const ac_prove_counts *from)
{
    into->asym_pruned += from->asym_pruned;
    into->test_pruned += from->test_pruned;
    into->survivors += from->survivors;
    into->canonical_survivors += from->canonical_survivors;
}

__kernel void ac_prove(const ulong first, const ulong end, const ulong per_item,
                       AC_TABLE_SPACE const ulong *table,
                       __constant const int *cuts, const int asym_cut,
                       const uint collect, const uint capacity,
                       __global uint *survivor_count, __global ulong *survivor_ranks,
                       __global ac_prove_counts *results, __local ac_prove_counts *scratch)
{
    ac_prove_tally tally = {0, 0, 0, 0};
    const ulong offset = get_global_id(0) * per_item;
    if (offset < end - first) {
        const ulong rank = first + offset;
        int cut[AC_MAXLEN + 1];
        for (int l = 0; l <= AC_MAXLEN; l++) cut[l] = cuts[l];
        ac_sweep_side side;
        ac_sweep_side_init(&side);
        ac_walk walk;
        ac_walk_begin(&walk, rank, rank + min(per_item, end - rank), table);
        for (;;) {
            ac_subtree tree;
            ulong count;
            if (ac_walk_at_subtree(&walk, &tree, &count)) {
                const ulong size = ac_walk_subtree_size(&walk, &tree, table);
                if (ac_prove_skips(&tree, cut, asym_cut, (uint)size, &tally)) {
                    if (!ac_walk_skip(&walk, &tree, size)) break;
                } else {
                    walk.level++;
                }
                continue;
            }
            /* The sweep's leaves v in [lo, hi]; for d > 2 their left mass is fixed. */
            const int lo = walk.c[AC_X], hi = lo + (int)count - 1;
            ac_sweep sweep;
            ac_sweep_prepare(walk.c, walk.conv, &sweep);
            if (AC_D > 2 && ac_major_mass(sweep.mass) >= asym_cut) {
                tally.asym += (uint)count;
            } else {
                ac_sweep_side_begin(&side, &sweep, lo, hi, cut, true);
                int prefix[AC_CONV + 1], mass[AC_D + 1], leaf[AC_D];
                for (int v = lo; v <= hi; v++) {
                    /* For d > 2 a window that exceeds at every leaf still to come decides them all. */
                    if (AC_D > 2 && side.all) {
                        tally.test += (uint)(hi - v + 1);
                        break;
                    }
                    bool ready = false;
                    /* For d = 2 (n = 1) the left mass is c_0 = v. */
                    if (AC_D == 2 && max(v, AC_S - v) >= asym_cut) {
                        tally.asym++;
                    } else if (ac_sweep_side_exceeds(&side, &sweep, v, hi, cut, true, prefix, mass, &ready)) {
                        tally.test++;
                    } else {
                        tally.survivors++;
                        ac_walk_leaf(&walk, v, leaf);
                        if (ac_is_canonical(leaf)) tally.canonical++;
                        if (collect) {
                            const uint slot = atomic_inc(survivor_count);
                            if (slot < capacity) survivor_ranks[slot] = walk.rank + (ulong)(v - lo);
                        }
                    }
                }
            }
            if (!ac_walk_next_sweep(&walk, count)) break;
        }
    }

    const ac_prove_counts mine = {tally.asym, tally.test, tally.survivors, tally.canonical};
    AC_GROUP_RESULT(scratch, mine, ac_prove_merge, results);
}
