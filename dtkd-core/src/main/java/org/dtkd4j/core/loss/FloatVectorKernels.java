package org.dtkd4j.core.loss;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link FloatRow}'s loops written with the JDK's vector API: the same operations in the same order as its scalar
 * form, lane by lane, with the sixteen running sums of {@link FloatRow#SUMS} kept in memory as the lanes of one
 * (16 floats) or two (8 floats) vectors, so that each gives the same bits whatever the vector width. Loaded only when
 * {@link FloatRow#VECTOR} is true.
 */
final class FloatVectorKernels {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED.length() >= FloatRow.SUMS
            ? FloatVector.SPECIES_512 : FloatVector.SPECIES_256;

    private FloatVectorKernels() {
    }

    /** @return the floats per vector the kernels use: 16, or 8 on a CPU whose vectors hold fewer */
    static int lanes() {
        return SPECIES.length();
    }

    /** @return the floats per vector this CPU prefers (the kernels use 8 or 16 of them) */
    static int preferredLanes() {
        return FloatVector.SPECIES_PREFERRED.length();
    }

    /**
     * Writes the maximum of {@code x[off + j]}, {@code j < bound}, into {@code out[0]} and into {@code out[1]} the sum
     * of their {@code x − x}: 0 if all are finite, NaN otherwise.
     *
     * @param bound a multiple of {@link FloatRow#SUMS}
     */
    static void maxAndCheck(float[] x, int off, int bound, float[] out) {
        FloatVector max = FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY);
        FloatVector check = FloatVector.zero(SPECIES);
        for (int j = 0; j < bound; j += SPECIES.length()) {
            FloatVector v = FloatVector.fromArray(SPECIES, x, off + j);
            max = max.max(v);
            check = check.add(v.sub(v));
        }
        out[0] = max.reduceLanes(VectorOperators.MAX);
        out[1] = check.reduceLanes(VectorOperators.ADD);
    }

    /**
     * {@code out[j] = exp((x[off + j] − shift) / divisor)} for {@code j < bound}, added to {@code partial[j mod 16]}.
     *
     * @param bound a multiple of {@link FloatRow#SUMS}
     */
    static void expSums(float[] x, int off, int bound, float shift, float divisor, float[] out, float[] partial) {
        for (int j = 0; j < bound; j += SPECIES.length()) {
            FloatVector e = exp(FloatVector.fromArray(SPECIES, x, off + j).sub(shift).div(divisor));
            e.intoArray(out, j);
            int lane = j % FloatRow.SUMS;
            FloatVector.fromArray(SPECIES, partial, lane).add(e).intoArray(partial, lane);
        }
    }

    /**
     * Adds {@code et[j]·((t[tOff + j] − mt)/T − (s[sOff + j] − ms)/T)} to {@code partial[j mod 16]} for
     * {@code j < bound}.
     */
    static void crossSums(float[] s, int sOff, float ms, float[] t, int tOff, float mt, float temperature,
                          float[] et, int bound, float[] partial) {
        for (int j = 0; j < bound; j += SPECIES.length()) {
            FloatVector xt = FloatVector.fromArray(SPECIES, t, tOff + j).sub(mt).div(temperature);
            FloatVector xs = FloatVector.fromArray(SPECIES, s, sOff + j).sub(ms).div(temperature);
            FloatVector term = FloatVector.fromArray(SPECIES, et, j).mul(xt.sub(xs));
            int lane = j % FloatRow.SUMS;
            FloatVector.fromArray(SPECIES, partial, lane).add(term).intoArray(partial, lane);
        }
    }

    /** {@code out[j] = ((es[j]·a − et[j]·b)·kdWeight + (e1[j]·c1)·ceWeight)·factor} for {@code j < bound}. */
    static void gradient(float[] es, float[] et, float[] e1, float a, float b, float c1, float kdWeight,
                         float ceWeight, float factor, float[] out, int bound) {
        for (int j = 0; j < bound; j += SPECIES.length()) {
            FloatVector kd = FloatVector.fromArray(SPECIES, es, j).mul(a)
                    .sub(FloatVector.fromArray(SPECIES, et, j).mul(b));
            FloatVector ce = FloatVector.fromArray(SPECIES, e1, j).mul(c1);
            kd.mul(kdWeight).add(ce.mul(ceWeight)).mul(factor).intoArray(out, j);
        }
    }

    /** {@code out[j] = ((e1[j]·c1)·ceWeight)·factor} for {@code j < bound} (the cross-entropy alone). */
    static void crossEntropyGradient(float[] e1, float c1, float ceWeight, float factor, float[] out, int bound) {
        for (int j = 0; j < bound; j += SPECIES.length()) {
            FloatVector.fromArray(SPECIES, e1, j).mul(c1).mul(ceWeight).mul(factor).intoArray(out, j);
        }
    }

    /** {@link FloatRow#exp} lane by lane. */
    private static FloatVector exp(FloatVector x) {
        VectorMask<Float> low = x.lt(FloatRow.LOWEST);
        FloatVector v = x.blend(FloatRow.LOWEST, low);
        FloatVector k = v.mul(FloatRow.INV_LN2).add(FloatRow.SHIFTER).sub(FloatRow.SHIFTER);
        FloatVector r = v.sub(k.mul(FloatRow.LN2_HI)).sub(k.mul(FloatRow.LN2_LO));
        FloatVector p = FloatVector.broadcast(SPECIES, FloatRow.HORNER[0]);
        for (int j = 1; j < FloatRow.HORNER.length; j++) {
            p = p.mul(r).add(FloatRow.HORNER[j]);
        }
        FloatVector scale = k.add(FloatRow.SCALE_SHIFTER).reinterpretAsInts()
                .lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return p.mul(scale).blend(0f, low);
    }
}
