package org.dtkd4j.core.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dtkd4j.core.data.Augmentation;
import org.dtkd4j.core.data.ImageDataSetIterator;
import org.dtkd4j.core.dl4j.TeacherLabelIterator;
import org.dtkd4j.core.perf.FusedBatchNorm;
import org.dtkd4j.core.teacher.Teacher;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link Distiller.Builder#fusedBatchNorm}: on by default, the student's BatchNorm then runs {@link FusedBatchNorm};
 * steps with and without it give the same parameters, BatchNorm statistics and momentum to float32 rounding; the
 * setting is persisted and a resumed run keeps it.
 */
class FusedBatchNormOptionTest {

    /**
     * Relative to the largest magnitude of the compared vector (at least 1): two float32 paths after two SGD steps
     * of a small CNN; the measured difference is ~1e-7. A defect in the kernel (a wrong statistic or gradient term)
     * moves parameters by 1e-3 or more after a step at the engine's learning rate.
     */
    private static final double FLOAT_TOLERANCE = 1e-5;

    @BeforeAll
    static void requireCpuBackend() {
        assumeTrue(Nd4j.getBackend().getEnvironment().isCPU(), "the fused BatchNorm serves ND4J's CPU backend");
    }

    @Test
    void onByDefaultAndOffOnRequest(@TempDir Path on, @TempDir Path off) {
        Teacher teacher = DistillerTest.teacher();
        assertThat(FusedBatchNorm.installedIn(TeacherLogitCacheTest.builder(teacher, on).build().student()))
                .isEqualTo(1);
        assertThat(FusedBatchNorm.installedIn(TeacherLogitCacheTest.builder(teacher, off).fusedBatchNorm(false)
                .build().student())).isZero();
    }

    @Test
    void stepsAgreeWithDl4jsOwnBatchNormToFloatRounding(@TempDir Path off, @TempDir Path on) {
        Teacher teacher = DistillerTest.teacher();
        ComputationGraph stock = TeacherLogitCacheTest.builder(teacher, off).fusedBatchNorm(false).build().student();
        ComputationGraph fused = TeacherLogitCacheTest.builder(teacher, on).build().student();
        INDArray initial = fused.params().dup();
        assertThat(fused.params()).isEqualTo(stock.params());
        List<DataSet> batches = new ArrayList<>();
        try (ImageDataSetIterator base = ImageDataSetIterator.builder(TeacherLogitCacheTest.data().train())
                .batchSize(16).shuffle(false).augmentation(Augmentation.NONE).dataType(DataType.FLOAT).build()) {
            TeacherLabelIterator it = new TeacherLabelIterator(base, teacher);
            batches.add(it.next());
            batches.add(it.next());
        }
        for (DataSet b : batches) {
            stock.fit(b);
            fused.fit(b);
        }
        assertClose(fused.params(), stock.params(), "parameters and BatchNorm statistics after two steps");
        assertClose(fused.getUpdater().getStateViewArray(), stock.getUpdater().getStateViewArray(), "momentum");
        assertThat(fused.params().sub(initial).amaxNumber().doubleValue()).as("the steps changed the parameters")
                .isGreaterThan(1e-3);
    }

    @Test
    void theSettingIsPersistedAndKeptOnResume(@TempDir Path dir) throws Exception {
        TeacherLogitCacheTest.builder(DistillerTest.teacher(), dir).fusedBatchNorm(false).build().runEpochs(1);
        assertThat(Distiller.RunConfig.read(dir.resolve(Distiller.CONFIG_FILE)).options().fusedBatchNorm()).isFalse();
        Distiller resumed = Distiller.resume(dir, DistillerTest.teacher(), TeacherLogitCacheTest.data(),
                new Progress(DistillerTest.QUIET, false, 1e9, System::nanoTime), DistillerTest.QUIET);
        assertThat(FusedBatchNorm.installedIn(resumed.student())).isZero();
        assertThat(Files.readString(dir.resolve(Distiller.LOG_FILE))).contains("fused BatchNorm off");
    }

    private static void assertClose(INDArray actual, INDArray expected, String what) {
        double maxAbsDiff = actual.sub(expected).amaxNumber().doubleValue();
        double scale = Math.max(1.0, expected.amaxNumber().doubleValue());
        assertThat(maxAbsDiff).as("%s: max |fused - DL4J| (scale %s)", what, scale)
                .isLessThanOrEqualTo(FLOAT_TOLERANCE * scale);
    }
}
