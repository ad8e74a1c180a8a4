/*
 * autoconv_shared.h: the one header that the OpenCL kernels and the Swift host share.
 *
 * It holds the layouts of every buffer the host reads back or writes, and the constants both
 * sides derive from the problem. The kernels include it (prepended by the host) and the Swift
 * host sees it through the COpenCL module, so a layout can never drift between the two.
 *
 * Problem constants come from the build options (-D AC_N=… etc., see AutoconvOpenCL's
 * KernelSource.buildOptions); the host never needs them here.
 *
 * Every field is 64-bit, so the structs have the same size and alignment in OpenCL C and C
 * without packing pragmas.
 */
#ifndef AUTOCONV_SHARED_H
#define AUTOCONV_SHARED_H

#ifdef __OPENCL_VERSION__
typedef long ac_i64;
typedef ulong ac_u64;
#else
#include <stdint.h>
typedef int64_t ac_i64;
typedef uint64_t ac_u64;
#endif

/*
 * A candidate minimum: the value num/den (den > 0) reached at composition `rank`.
 * den == 0 means "none" (the work-group saw no candidate, e.g. no canonical composition).
 * |num| < 2^31 and 0 < den <= S^2 < 2^31, so cross products fit in 63 bits.
 */
typedef struct {
    ac_i64 num;
    ac_i64 den;
    ac_u64 rank;
} ac_minimum;

/* Find-min mode: one per work-group. */
typedef struct {
    ac_minimum test;
    ac_minimum cert;
} ac_bound_result;

/* Prove mode: one per work-group, in the method.md §3 counting convention. */
typedef struct {
    ac_u64 asym_pruned;
    ac_u64 test_pruned;
    ac_u64 survivors;
    ac_u64 canonical_survivors;
} ac_prove_counts;

/* Evaluation kernel: one per composition (window sums go to a separate array). */
typedef struct {
    ac_i64 test_num;
    ac_i64 test_den;
    ac_i64 cert_num;
    ac_i64 cert_den;
    ac_i64 major_mass;
    ac_i64 verdict; /* 0 asymmetry-pruned, 1 test-pruned, 2 survivor (AutoconvCore.Verdict) */
} ac_evaluation;

/*
 * Cascade child kernel (children.cl). A launch covers a range of the batch's children, cut
 * into segments: segment k is the children first … first + (start[k+1] - start[k]) - 1 of
 * parent `parent`, at launch-local indices from `start` on. Child indices within a parent are
 * 128-bit (AutoconvCore.ChildTree addressing), split into two 64-bit halves.
 */
typedef struct {
    ac_u64 parent;
    ac_u64 first_lo;
    ac_u64 first_hi;
    ac_u64 start;
} ac_child_segment;

/* A surviving child: its parent (index into the launch's parents) and its index there. */
typedef struct {
    ac_u64 parent;
    ac_u64 index_lo;
    ac_u64 index_hi;
} ac_child_survivor;

/* Child counts of one work-group, in the method.md §3 counting convention. */
typedef struct {
    ac_u64 asym_pruned;
    ac_u64 test_pruned;
    ac_u64 survivors;
} ac_child_counts;

/* Survivor buffer header in prove mode: `count` keeps counting past the capacity, so the
 * host knows exactly how large a buffer a re-run needs. */
#define AC_VERDICT_ASYMMETRY 0
#define AC_VERDICT_TEST 1
#define AC_VERDICT_SURVIVOR 2

/* Largest composition sum the 32-bit kernels accept: every window sum is <= S^2 < 2^31 - 1. */
#define AC_MAX_S 46340

#endif /* AUTOCONV_SHARED_H */
