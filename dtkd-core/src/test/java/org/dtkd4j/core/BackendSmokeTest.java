package org.dtkd4j.core;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.environment.Nd4jEnvironment;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The ND4J backend on the test classpath loads, says which it is, and computes BLAS and libnd4j ops right. */
class BackendSmokeTest {

    @Test
    void backendNamesItselfConsistently() {
        String backend = Nd4j.getExecutioner().getEnvironmentInformation().getProperty(Nd4jEnvironment.BACKEND_KEY);
        boolean cpu = Nd4j.getBackend().getEnvironment().isCPU();
        assertThat(backend).as("backend of %s", Nd4j.getBackend().getClass().getName()).isEqualTo(cpu ? "CPU" : "CUDA");
        assertThat(Nd4j.getBackend().getClass().getName())
                .isEqualTo(cpu ? "org.nd4j.linalg.cpu.nativecpu.CpuBackend" : "org.nd4j.linalg.jcublas.JCublasBackend");
    }

    @Test
    void matrixProductMatchesTheHandComputation() {
        INDArray a = Nd4j.create(new double[][] {{1, 2, 3}, {4, 5, 6}});
        INDArray b = Nd4j.create(new double[][] {{7, 8}, {9, 10}, {11, 12}});
        // [1·7+2·9+3·11, 1·8+2·10+3·12; 4·7+5·9+6·11, 4·8+5·10+6·12]
        assertThat(a.mmul(b).toDoubleMatrix()).isEqualTo(new double[][] {{58, 64}, {139, 154}});
        assertThat(a.mmul(b).dataType()).isEqualTo(DataType.DOUBLE);
    }

    @Test
    void softmaxMatchesTheHandComputation() {
        double[] x = {-1.5, 0.25, 3.0};
        double sum = Math.exp(-1.5) + Math.exp(0.25) + Math.exp(3.0);
        double[] softmax = Transforms.softmax(Nd4j.create(new double[][] {x}), true).toDoubleVector();
        for (int i = 0; i < x.length; i++) {
            assertThat(softmax[i]).as("softmax[%d]", i).isCloseTo(Math.exp(x[i]) / sum, within(1e-15));
        }
    }
}
