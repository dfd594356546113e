package org.dtkd4j.core.perf;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.nio.FloatBuffer;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link HostMemory}: which arrays Java may address directly, and where their elements are. */
class HostMemoryTest {

    @Test
    void floatAndDoubleArraysOnTheCpuBackendAreAddressable() {
        assertThat(HostMemory.CPU).as("the tests run on the CPU backend").isTrue();
        for (DataType type : new DataType[]{DataType.FLOAT, DataType.DOUBLE}) {
            INDArray m = Nd4j.create(type, 4, 6);
            assertThat(HostMemory.addressable(m)).as("%s", type).isTrue();
            assertThat(HostMemory.contiguous(m)).as("%s", type).isTrue();
            INDArray columns = m.get(NDArrayIndex.all(), NDArrayIndex.interval(1, 3));
            assertThat(HostMemory.addressable(columns)).as("a strided view, read at its strides").isTrue();
            assertThat(HostMemory.contiguous(columns)).as("a strided view").isFalse();
        }
        for (DataType type : new DataType[]{DataType.HALF, DataType.BFLOAT16, DataType.INT, DataType.LONG}) {
            assertThat(HostMemory.addressable(Nd4j.create(type, 4, 6))).as("%s", type).isFalse();
        }
    }

    @Test
    void aViewsElementsStartAtTheBufferPosition() {
        INDArray m = Nd4j.linspace(1, 24, 24, DataType.FLOAT).reshape(4, 6);
        INDArray rows = m.get(NDArrayIndex.interval(2, 4), NDArrayIndex.all());
        assertThat(HostMemory.contiguous(rows)).isTrue();
        FloatBuffer buffer = rows.data().asNioFloat();
        assertThat(buffer.get(buffer.position())).isEqualTo(rows.getFloat(0, 0)).isEqualTo(13f);
        assertThat(buffer.get(buffer.position() + 11)).isEqualTo(rows.getFloat(1, 5)).isEqualTo(24f);
    }
}
