package org.dtkd4j.core.loss;

import org.dtkd4j.core.perf.VectorApi;

/**
 * The exponential every loss in this package evaluates: one algorithm, written once with scalar arithmetic and once
 * with the JDK's vector API, whose results are identical bit for bit. Which of the two runs therefore changes the
 * speed only, never a loss, a gradient or a trained model.
 *
 * <p>The algorithm (Cody and Waite's reduction, as in fdlibm's {@code exp}) uses additions, multiplications and
 * bit moves only, each correctly rounded in IEEE 754 double precision, so it gives the same bits in the interpreter,
 * in compiled code, in every vector lane and on every CPU; {@link Math#exp} does not promise that between its scalar
 * and any vectorised form. For {@code x} clamped to {@code [−746, 710]} (outside it {@code exp} is 0 or {@code +∞}
 * in double precision, and NaN stays NaN):
 * <pre>
 *   k = round(x / ln 2),   r = (x − k·ln2_hi) − k·ln2_lo,   |r| ≤ ln 2 / 2 (ln2_hi has 21 trailing zero bits)
 *   exp(r) ≈ Σ_{j=0..13} r^j / j!   (Horner; truncation below 10^−17 relative)
 *   exp(x) = exp(r) · 2^k1 · 2^k2,   k1 = round(k/2), k2 = k − k1
 * </pre>
 * Splitting {@code 2^k} keeps both factors normal, so a result in the normal range is {@code exp(r)} scaled exactly
 * and a subnormal one is rounded once. The result is within 2 ulps of {@link StrictMath#exp} (fdlibm, itself within
 * 1 ulp of the exact value; {@code ExponentialsTest} compares 2 million arguments).
 *
 * <p>The vector form runs when the JVM was started with {@code --add-modules jdk.incubator.vector} (the command-line
 * tool's {@code bench} does so) and the CPU has vectors of at least two doubles, unless it is switched off
 * ({@link VectorApi}). {@link #kernel()} says which form is in use.
 */
public final class Exponentials {

    static final double LOWEST = -746;
    static final double HIGHEST = 710;
    static final double INV_LN2 = 0x1.71547652b82fep0;
    static final double LN2_HI = 0x1.62e42feep-1;
    static final double LN2_LO = 0x1.a39ef35793c76p-33;
    /** {@code 1.5·2^52}: adding it rounds a double of magnitude below {@code 2^51} to an integer. */
    static final double SHIFTER = 0x1.8p52;
    /** Adding it to an integer {@code k} puts {@code k + 1023}, the biased exponent of {@code 2^k}, in the low bits. */
    static final double SCALE_SHIFTER = SHIFTER + 1023;
    /** The Taylor coefficients {@code 1/j!} of {@code exp(r)}, {@code j = 13, 12, ..., 0}, in Horner's order. */
    static final double[] HORNER = {1.0 / 6227020800L, 1.0 / 479001600, 1.0 / 39916800, 1.0 / 3628800, 1.0 / 362880,
        1.0 / 40320, 1.0 / 5040, 1.0 / 720, 1.0 / 120, 1.0 / 24, 1.0 / 6, 1.0 / 2, 1, 1};

    /** The vector form's lanes, 0 where the scalar form runs; decided once, with {@link #kernel()}'s description. */
    private static final int LANES;
    private static final String KERNEL;

    static {
        int lanes = VectorApi.usable() ? VectorKernels.lanes() : 0;
        LANES = lanes > 1 ? lanes : 0;
        KERNEL = !VectorApi.usable() ? "scalar (" + VectorApi.unavailability() + ")"
                : LANES > 0 ? "vectorised, " + LANES + " doubles per vector"
                : "scalar (this CPU's vectors hold one double)";
    }

    private Exponentials() {
    }

    /**
     * @param x any double
     * @return {@code exp(x)}, within 2 ulps of {@link StrictMath#exp}; {@code 0} below about {@code −745.13},
     *         {@code +∞} above about {@code 709.78}, NaN for NaN
     */
    public static double exp(double x) {
        double y = x < LOWEST ? LOWEST : x > HIGHEST ? HIGHEST : x;
        double k = y * INV_LN2 + SHIFTER - SHIFTER;
        double r = y - k * LN2_HI - k * LN2_LO;
        double p = HORNER[0];
        for (int j = 1; j < HORNER.length; j++) {
            p = p * r + HORNER[j];
        }
        double k1 = k * 0.5 + SHIFTER - SHIFTER;
        return p * powerOfTwo(k1) * powerOfTwo(k - k1);
    }

    /**
     * Writes {@code out[i] = exp(x[i] − shift)} for {@code i < n}, in vector form where it runs.
     *
     * @param x     the arguments, at least {@code n} long
     * @param shift subtracted from every argument first
     * @param out   the results, at least {@code n} long (may be {@code x})
     * @param n     how many
     */
    static void shifted(double[] x, double shift, double[] out, int n) {
        int i = LANES > 0 ? VectorKernels.shifted(x, shift, out, n) : 0;
        for (; i < n; i++) {
            out[i] = exp(x[i] - shift);
        }
    }

    /** @return whether the vector form runs (then the package's other vector loops run too, {@link VectorKernels}) */
    static boolean vectorised() {
        return LANES > 0;
    }

    /**
     * @return which form runs, for example {@code "vectorised, 8 doubles per vector"} or {@code "scalar (start the
     *         JVM with --add-modules jdk.incubator.vector to vectorise)"}
     */
    public static String kernel() {
        return KERNEL;
    }

    /** @return {@code 2^k} for an integer {@code k} in {@code [−1022, 1023]} */
    static double powerOfTwo(double k) {
        return Double.longBitsToDouble(Double.doubleToRawLongBits(k + SCALE_SHIFTER) << 52);
    }
}
