package org.dtkd4j.core.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * {@link HostLoops} gives the bits of the ND4J ops it replaces, on views into flat arrays as DL4J's updater blocks
 * and parameter tables hand them over (offsets, C- and F-ordered shapes), with NaN, infinities, signed zeros and
 * subnormals among the values; and declines what it cannot serve, leaving the arrays untouched.
 */
class HostLoopsTest {

    private static final double MOMENTUM = 0.9;
    private static final double LR = 0.0125;
    private static final double SCALE = 64 * 5e-4;

    enum Type {
        FLOAT(DataType.FLOAT), DOUBLE(DataType.DOUBLE);

        final DataType dataType;

        Type(DataType dataType) {
            this.dataType = dataType;
        }
    }

    /** A flat array of {@code n} values in {@code type}: normal values of varied magnitude and the special ones. */
    private static INDArray flat(DataType type, int n, long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray a = Nd4j.randn(DataType.DOUBLE, n).muli(Transforms.exp(Nd4j.rand(DataType.DOUBLE, n).muli(8).subi(4)));
        double tiny = type == DataType.FLOAT ? 1e-40 : 1e-310;
        double[] special = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.0, -0.0, tiny, -tiny};
        for (int i = 0; i < special.length; i++) {
            a.putScalar((3 + 11L * i) % n, special[i]);
        }
        return a.castTo(type);
    }

    /** Element bits in memory order, comparable across float and double. */
    private static long[] bits(INDArray a) {
        INDArray own = a.dup(a.ordering());
        long[] out = new long[(int) a.length()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.dataType() == DataType.FLOAT ? Float.floatToRawIntBits(own.data().getFloat(i))
                    : Double.doubleToRawLongBits(own.data().getDouble(i));
        }
        return out;
    }

    @ParameterizedTest
    @EnumSource(Type.class)
    void momentumGivesTheBitsOfTheNd4jOps(Type type) {
        INDArray state = flat(type.dataType, 400, 1);
        INDArray grads = flat(type.dataType, 400, 2);
        // block views as DL4J passes them: the state as [1, n], the gradient reshaped to [n], both at an offset
        INDArray v = state.reshape(1, 400).get(NDArrayIndex.point(0), NDArrayIndex.interval(37, 337)).reshape(1, 300);
        INDArray g = grads.get(NDArrayIndex.interval(55, 355)).reshape(300);
        INDArray expectedV = v.dup().muli(MOMENTUM).addi(g.reshape(1, 300));
        INDArray expectedG = g.dup().assign(expectedV.reshape(300)).muli(LR);
        INDArray stateBefore = state.dup();

        assertTrue(HostLoops.momentum(v, g, MOMENTUM, LR));

        assertArrayEquals(bits(expectedV), bits(v));
        assertArrayEquals(bits(expectedG), bits(g));
        assertArrayEquals(bits(stateBefore.get(NDArrayIndex.interval(0, 37))),
                bits(state.get(NDArrayIndex.interval(0, 37))), "the state outside the block");
        assertArrayEquals(bits(stateBefore.get(NDArrayIndex.interval(337, 400))),
                bits(state.get(NDArrayIndex.interval(337, 400))), "the state outside the block");
    }

    @ParameterizedTest
    @EnumSource(Type.class)
    void weightDecayGivesTheBitsOfTheNd4jOpsInCAndFOrder(Type type) {
        INDArray params = flat(type.dataType, 1000, 3);
        INDArray grads = flat(type.dataType, 1000, 4);
        // a convolution's [out, in, kH, kW] 'c' view and a dense layer's [nIn, nOut] 'f' view, as DL4J lays them out
        Map<String, long[]> shapes = Map.of("conv", new long[]{4, 3, 3, 3}, "dense", new long[]{20, 15});
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            char order = e.getKey().equals("conv") ? 'c' : 'f';
            long n = 1;
            for (long d : e.getValue()) {
                n *= d;
            }
            INDArray w = params.get(NDArrayIndex.interval(100, 100 + n)).reshape(order, e.getValue());
            INDArray g = grads.get(NDArrayIndex.interval(500, 500 + n)).reshape(order, e.getValue());
            assertEquals(order, g.ordering(), e.getKey());
            INDArray expected = g.dup(order).addi(w.mul(SCALE));

            assertTrue(HostLoops.addScaled(g, w, SCALE), e.getKey());

            assertArrayEquals(bits(expected), bits(g), e.getKey());
        }
    }

    @Test
    void declinesWhatItCannotServeAndLeavesTheArrays() {
        INDArray half = flat(DataType.HALF, 50, 5);
        INDArray halfCopy = half.dup();
        assertFalse(HostLoops.momentum(half, half.dup(), MOMENTUM, LR), "float16");
        assertFalse(HostLoops.addScaled(half, half.dup(), SCALE), "float16");
        assertArrayEquals(bits(halfCopy), bits(half));

        INDArray f = flat(DataType.FLOAT, 50, 6);
        INDArray fCopy = f.dup();
        assertFalse(HostLoops.momentum(f, flat(DataType.DOUBLE, 50, 7), MOMENTUM, LR), "mixed types");
        assertFalse(HostLoops.momentum(f, flat(DataType.FLOAT, 49, 7), MOMENTUM, LR), "lengths differ");
        assertFalse(HostLoops.momentum(f.reshape(5, 10), f.dup().reshape(5, 10), MOMENTUM, LR), "not vectors");

        INDArray strided = flat(DataType.FLOAT, 100, 8).get(NDArrayIndex.interval(0, 2, 100));
        assertFalse(HostLoops.addScaled(strided, strided.dup(), SCALE), "a strided view");
        INDArray c = flat(DataType.FLOAT, 12, 9).reshape('c', 3, 4);
        assertFalse(HostLoops.addScaled(c, c.dup('f'), SCALE), "layouts differ");
        assertArrayEquals(bits(fCopy), bits(f));
    }
}
