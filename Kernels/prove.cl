/*
 * prove.cl: prove mode (method.md §3) over every composition of a rank window, reverses
 * included. Work-items walk contiguous ranges as in bound.cl and classify each composition
 * with ac_verdict; each work-group writes its counts.
 *
 * Survivors: when `collect` is set, each survivor takes a slot from the global counter
 * *survivor_count and writes its rank there if the slot is below `capacity`. The counter keeps
 * counting past the capacity, so the host sees an overflow and knows the exact size a re-run
 * needs; no survivor is ever dropped silently. Slots are taken in no particular order: the
 * host sorts the ranks. A launch covers fewer than 2^32 ranks, so the counter cannot wrap.
 */
__kernel void ac_prove(const ulong first, const ulong end, const ulong per_item,
                       AC_TABLE_SPACE const ulong *table,
                       __constant const int *base, const int asym_cut,
                       const uint collect, const uint capacity,
                       __global uint *survivor_count, __global ulong *survivor_ranks,
                       __global ac_prove_counts *results, __local ac_prove_counts *scratch)
{
    uint asym = 0, test = 0, survivors = 0, canonical = 0;
    const ulong offset = get_global_id(0) * per_item;
    if (offset < end - first) {
        ulong rank = first + offset;
        const ulong stop = rank + min(per_item, end - rank);
        int c[AC_D], conv[AC_CONV], mass[AC_D + 1];
        ac_unrank(rank, table, c);
        ac_autoconvolution(c, conv);
        bool block_start = true;
        for (;;) {
#if AC_D > 2
            /* A whole leaf block (common.cl) is accounted at once when its fixed left mass
             * prunes it by asymmetry, or, when asymmetry prunes none of it, when some window's
             * lower bound exceeds its cut-off. The block's rest is c_{d-1} + 1 compositions. */
            if (block_start) {
                ac_block block;
                ac_block_prepare(c, &block);
                const uint rest = (uint)min((ulong)c[AC_D - 1] + 1, stop - rank);
                bool whole = false;
                if (ac_major_mass(block.mass) >= asym_cut) {
                    asym += rest;
                    whole = true;
                } else {
                    int w = 0;
                    for (int l = 2; l <= AC_MAXLEN && !whole; l++) {
                        for (int s = 0; s <= 2 * AC_D - l; s++, w++) {
                            if (ac_block_rule_low(&block, l, s) > base[w]) { whole = true; break; }
                        }
                    }
                    if (whole) test += rest;
                }
                if (whole) {
                    rank += rest - 1;
                    if (rank + 1 == stop) break;
                    c[AC_D - 2] += c[AC_D - 1];
                    c[AC_D - 1] = 0;
                    rank++;
                    ac_step(c, conv);
                    continue; /* block_start stays true: the step carried into a new block */
                }
                block_start = false;
            }
#endif
            ac_mass_prefix(c, mass);
            const int verdict = ac_verdict(conv, mass, base, asym_cut);
            if (verdict == AC_VERDICT_ASYMMETRY) {
                asym++;
            } else if (verdict == AC_VERDICT_TEST) {
                test++;
            } else {
                survivors++;
                if (ac_is_canonical(c)) canonical++;
                if (collect) {
                    const uint slot = atomic_inc(survivor_count);
                    if (slot < capacity) survivor_ranks[slot] = rank;
                }
            }
            if (++rank == stop) break;
            block_start = c[AC_D - 1] == 0; /* the step carries into a new leaf block */
            ac_step(c, conv);
        }
    }

    const uint lid = get_local_id(0), size = get_local_size(0);
    scratch[lid].asym_pruned = asym;
    scratch[lid].test_pruned = test;
    scratch[lid].survivors = survivors;
    scratch[lid].canonical_survivors = canonical;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (uint stride = 1; stride < size; stride *= 2) {
        if (lid % (2 * stride) == 0 && lid + stride < size) {
            scratch[lid].asym_pruned += scratch[lid + stride].asym_pruned;
            scratch[lid].test_pruned += scratch[lid + stride].test_pruned;
            scratch[lid].survivors += scratch[lid + stride].survivors;
            scratch[lid].canonical_survivors += scratch[lid + stride].canonical_survivors;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (lid == 0) results[get_group_id(0)] = scratch[0];
}
