package org.dtkd4j.core.loss;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The row loops of this package written with the JDK's vector API: {@link Exponentials#exp} lane by lane (the same
 * operations in the same order, so the same bits) and the finiteness test of a row (the same answer as
 * {@link Double#isFinite} entry by entry). Loaded only when {@link Exponentials} runs its vector form
 * ({@link Exponentials#vectorised()}).
 */
final class VectorKernels {

    private static final VectorSpecies<Double> SPECIES = DoubleVector.SPECIES_PREFERRED;

    private VectorKernels() {
    }

    static int lanes() {
        return SPECIES.length();
    }

    /**
     * Writes {@code out[i] = exp(x[i] − shift)} for whole vectors.
     *
     * @return the first index not written (the caller finishes the tail with {@link Exponentials#exp})
     */
    static int shifted(double[] x, double shift, double[] out, int n) {
        int bound = SPECIES.loopBound(n);
        int i = 0;
        for (; i < bound; i += SPECIES.length()) {
            DoubleVector v = DoubleVector.fromArray(SPECIES, x, i).sub(shift);
            VectorMask<Double> low = v.lt(Exponentials.LOWEST);
            VectorMask<Double> high = v.compare(VectorOperators.GT, Exponentials.HIGHEST);
            v = v.blend(Exponentials.LOWEST, low).blend(Exponentials.HIGHEST, high);
            DoubleVector k = v.mul(Exponentials.INV_LN2).add(Exponentials.SHIFTER).sub(Exponentials.SHIFTER);
            DoubleVector r = v.sub(k.mul(Exponentials.LN2_HI)).sub(k.mul(Exponentials.LN2_LO));
            // a loop, not unrolled by hand: C2 stops inlining the vector API's calls in a body that long, and a
            // vector not inlined is boxed (3.5x slower)
            DoubleVector p = DoubleVector.broadcast(SPECIES, Exponentials.HORNER[0]);
            for (int j = 1; j < Exponentials.HORNER.length; j++) {
                p = p.mul(r).add(Exponentials.HORNER[j]);
            }
            DoubleVector k1 = k.mul(0.5).add(Exponentials.SHIFTER).sub(Exponentials.SHIFTER);
            p.mul(powerOfTwo(k1)).mul(powerOfTwo(k.sub(k1))).intoArray(out, i);
        }
        return i;
    }

    /** @return whether every entry is finite ({@code v − v} is NaN for an infinity or NaN, 0 otherwise) */
    static boolean allFinite(double[] x) {
        int n = x.length;
        int bound = SPECIES.loopBound(n);
        DoubleVector acc = DoubleVector.zero(SPECIES);
        for (int i = 0; i < bound; i += SPECIES.length()) {
            DoubleVector v = DoubleVector.fromArray(SPECIES, x, i);
            acc = acc.add(v.sub(v));
        }
        boolean finite = acc.reduceLanes(VectorOperators.ADD) == 0;
        for (int i = bound; i < n && finite; i++) {
            finite = Double.isFinite(x[i]);
        }
        return finite;
    }

    private static DoubleVector powerOfTwo(DoubleVector k) {
        return k.add(Exponentials.SCALE_SHIFTER).reinterpretAsLongs()
                .lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles();
    }
}
