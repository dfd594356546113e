package org.dtkd4j.core.loss.golden;

/**
 * The tolerances of the golden README: compare {@code |got − ref| ≤ atol + rtol·|ref|}, gradients with
 * {@code rtol·max|ref|} over the whole array.
 *
 * @param valueRtol relative tolerance of losses, temperatures, per-sample terms
 * @param valueAtol absolute tolerance of the same
 * @param gradRtol  relative tolerance of gradients, relative to the array's largest finite magnitude
 * @param gradAtol  absolute tolerance of gradients
 */
public record Precision(double valueRtol, double valueAtol, double gradRtol, double gradAtol) {

    /** A float64 implementation. */
    public static final Precision FLOAT64 = new Precision(1e-9, 1e-12, 1e-9, 1e-13);
    /** A float32 implementation. */
    public static final Precision FLOAT32 = new Precision(1e-4, 1e-5, 1e-4, 1e-6);
    /**
     * A case with ill-conditioned temperatures ({@link GoldenCase#illConditionedTemperatures()}, e.g.
     * {@code ms + mt ≈ 1e-4} and temperatures of ~±2e5): the README expects about 1e-3 relative agreement there,
     * even in float64.
     */
    public static final Precision ILL_CONDITIONED = new Precision(1e-3, 1e-12, 1e-3, 1e-13);
}
