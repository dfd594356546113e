package org.dtkd4j.core.perf;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * When Java code may read and write the memory of an ND4J array directly, through the NIO view of its buffer
 * ({@code array.data().asNioFloat()} / {@code asNioDouble()}, positioned at the array's offset in that buffer): on
 * ND4J's CPU backend, whose buffers live in host memory, for {@code FLOAT} and {@code DOUBLE} arrays whose buffer an
 * {@code int} can index. Element {@code (i_0, …, i_k)} is then at {@code position + Σ_d i_d·stride(d)} of that view.
 * Callers check these conditions and run the ND4J ops (or the generic {@code DataBuffer} accessors) otherwise: other
 * backends, other data types.
 */
public final class HostMemory {

    /** Whether ND4J's backend is the CPU one (arrays in host memory). */
    public static final boolean CPU = Nd4j.getBackend().getEnvironment().isCPU();

    private HostMemory() {
    }

    /**
     * @param array any array
     * @return whether its buffer can be read and written as a {@code FloatBuffer} ({@code FLOAT}) or
     *         {@code DoubleBuffer} ({@code DOUBLE}) at any of its strides
     */
    public static boolean addressable(INDArray array) {
        return addressable(array.dataType(), array.data().offset() + array.data().length());
    }

    /**
     * @param type   the data type of an array's buffer
     * @param extent the number of elements from the start of that buffer's memory to its end
     * @return whether such a buffer is {@linkplain #addressable(INDArray) addressable}, e.g. before it is created
     */
    public static boolean addressable(DataType type, long extent) {
        return CPU && (type == DataType.FLOAT || type == DataType.DOUBLE) && extent <= Integer.MAX_VALUE;
    }

    /**
     * @param array any array
     * @return whether it is {@linkplain #addressable addressable} and its elements are consecutive in memory
     *         ({@code elementWiseStride() == 1}, in its own order)
     */
    public static boolean contiguous(INDArray array) {
        return addressable(array) && array.elementWiseStride() == 1;
    }
}
