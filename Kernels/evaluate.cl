/*
 * evaluate.cl: per-composition evaluation, the kernel the self-test and the cascade's checks
 * use. Work-item i reads composition i and writes every window sum (windowList order) and its
 * exact test value, certified value, major mass and prove verdict for the given cut-offs
 * (one per window length, common.cl).
 */
__kernel void ac_evaluate(__global const int *compositions, const uint count,
                          __constant const int *cuts, const int asym_cut,
                          __global int *window_sums, __global ac_evaluation *results)
{
    const uint i = get_global_id(0);
    if (i >= count) return;
    int c[AC_D], conv[AC_CONV], prefix[AC_CONV + 1], mass[AC_D + 1];
    for (int k = 0; k < AC_D; k++) c[k] = compositions[(size_t)i * AC_D + k];
    ac_autoconvolution(c, conv);
    ac_conv_prefix(conv, prefix);
    ac_mass_prefix(c, mass);
    int w = 0;
    for (int l = 2; l <= AC_MAXLEN; l++) {
        for (int s = 0; s <= 2 * AC_D - l; s++, w++) {
            window_sums[(size_t)i * AC_WINDOWS + w] = prefix[s + l - 1] - prefix[s];
        }
    }
    ac_evaluation out;
    ac_exact_values(prefix, mass, &out.test_num, &out.test_den, &out.cert_num, &out.cert_den);
    out.major_mass = ac_major_mass(mass);
    out.verdict = ac_verdict(conv, mass, cuts, asym_cut);
    results[i] = out;
}
