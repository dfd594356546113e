package org.dtkd4j.core.perf;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link FusedBatchNorm}'s loops written with the JDK's vector API, lane by lane with the same float operations as its
 * scalar loops, so the same bits: the channel sums, which add whole rows of {@link FusedBatchNorm#WIDTH} values into
 * the {@code WIDTH} partial sums, and the ReLU it applies to its output and to the gradient it receives (a comparison
 * and a blend, which C2 does not vectorise in a scalar loop). Loaded only when {@link FusedBatchNorm#VECTOR} is true.
 */
final class ChannelVectorKernels {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    private ChannelVectorKernels() {
    }

    /** @return the floats per vector */
    static int lanes() {
        return SPECIES.length();
    }

    /** {@code partial[i] += v[row + i]} for every row {@code [from, to)}, {@code i < WIDTH}. */
    static void addRows(float[] v, int from, int to, float[] partial) {
        for (int row = from; row < to; row += FusedBatchNorm.WIDTH) {
            for (int i = 0; i < FusedBatchNorm.WIDTH; i += SPECIES.length()) {
                FloatVector.fromArray(SPECIES, partial, i).add(FloatVector.fromArray(SPECIES, v, row + i))
                        .intoArray(partial, i);
            }
        }
    }

    /** {@code partial[i] += (v[row + i] − m)²} for every row {@code [from, to)}, {@code i < WIDTH}. */
    static void addSquaredDeviationRows(float[] v, float m, int from, int to, float[] partial) {
        for (int row = from; row < to; row += FusedBatchNorm.WIDTH) {
            for (int i = 0; i < FusedBatchNorm.WIDTH; i += SPECIES.length()) {
                FloatVector d = FloatVector.fromArray(SPECIES, v, row + i).sub(m);
                FloatVector.fromArray(SPECIES, partial, i).add(d.mul(d)).intoArray(partial, i);
            }
        }
    }

    /**
     * {@code partialDy[i] += dy[row + i]} and {@code partialDyXc[i] += dy[row + i]·(x[row + i] − m)} for every row
     * {@code [from, to)}, {@code i < WIDTH}.
     */
    static void addGradientRows(float[] dy, float[] x, float m, int from, int to, float[] partialDy,
                                float[] partialDyXc) {
        for (int row = from; row < to; row += FusedBatchNorm.WIDTH) {
            for (int i = 0; i < FusedBatchNorm.WIDTH; i += SPECIES.length()) {
                FloatVector d = FloatVector.fromArray(SPECIES, dy, row + i);
                FloatVector xc = FloatVector.fromArray(SPECIES, x, row + i).sub(m);
                FloatVector.fromArray(SPECIES, partialDy, i).add(d).intoArray(partialDy, i);
                FloatVector.fromArray(SPECIES, partialDyXc, i).add(d.mul(xc)).intoArray(partialDyXc, i);
            }
        }
    }

    /**
     * {@code v[k] = relu((v[k] − m)·s + β)} for the whole vectors of {@code k < length}, where {@code relu(y) = y < 0 ?
     * 0 : y}.
     *
     * @return the first index not written (the caller finishes the tail)
     */
    static int normalizeRelu(float[] v, float m, float s, float beta, int length) {
        int bound = SPECIES.loopBound(length);
        for (int k = 0; k < bound; k += SPECIES.length()) {
            FloatVector y = FloatVector.fromArray(SPECIES, v, k).sub(m).mul(s).add(beta);
            y.blend(0f, y.lt(0f)).intoArray(v, k);
        }
        return bound;
    }

    /**
     * {@code dy[k] = step((x[k] − m)·s + β)·dy[k]} for the whole vectors of {@code k < length}, where {@code step(y) =
     * y > 0 ? 1 : 0}.
     *
     * @return the first index not written (the caller finishes the tail)
     */
    static int maskGradient(float[] dy, float[] x, float m, float s, float beta, int length) {
        int bound = SPECIES.loopBound(length);
        FloatVector zero = FloatVector.zero(SPECIES);
        for (int k = 0; k < bound; k += SPECIES.length()) {
            FloatVector y = FloatVector.fromArray(SPECIES, x, k).sub(m).mul(s).add(beta);
            FloatVector step = zero.blend(1f, y.compare(VectorOperators.GT, 0f));
            step.mul(FloatVector.fromArray(SPECIES, dy, k)).intoArray(dy, k);
        }
        return bound;
    }
}
