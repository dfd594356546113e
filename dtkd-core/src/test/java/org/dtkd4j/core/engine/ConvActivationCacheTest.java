package org.dtkd4j.core.engine;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dtkd4j.core.data.Augmentation;
import org.dtkd4j.core.data.ImageDataSetIterator;
import org.dtkd4j.core.dl4j.DistillationListener;
import org.dtkd4j.core.dl4j.TeacherLabelIterator;
import org.dtkd4j.core.perf.ForwardCache;
import org.dtkd4j.core.teacher.Teacher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.profiler.OpProfiler;
import org.nd4j.linalg.profiler.ProfilerConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link Distiller.Builder#cacheConvActivations}: training steps give bitwise-identical parameters, BatchNorm
 * statistics and momentum with and without the cache, while the convolution runs fewer times; the setting is
 * persisted and a resumed run keeps it.
 */
class ConvActivationCacheTest {

    /** Two steps on the same packed batches, counting the convolution ops each student runs. */
    @Test
    void stepsAreBitwiseIdenticalWithFewerConvolutions(@TempDir Path off, @TempDir Path on) {
        Teacher teacher = DistillerTest.teacher();
        ComputationGraph plain = TeacherLogitCacheTest.builder(teacher, off).cacheConvActivations(false).build()
                .student();
        ComputationGraph cached = TeacherLogitCacheTest.builder(teacher, on).cacheConvActivations(true).build()
                .student();
        assertThat(ForwardCache.isOn(plain)).isFalse();
        assertThat(ForwardCache.isOn(cached)).isTrue();
        assertThat(ForwardCache.keepingOutput(plain)).isZero();
        assertThat(ForwardCache.keepingOutput(cached)).as("the convolution keeps its output, no copy").isEqualTo(1);
        assertThat(cached.params()).isEqualTo(plain.params());
        List<DataSet> batches = new ArrayList<>();
        try (ImageDataSetIterator base = ImageDataSetIterator.builder(TeacherLogitCacheTest.data().train()).batchSize(16)
                .shuffle(false).augmentation(Augmentation.NONE).dataType(DataType.FLOAT).build()) {
            TeacherLabelIterator it = new TeacherLabelIterator(base, teacher);
            batches.add(it.next());
            batches.add(it.next());
        }
        long plainConvs = convolutions(plain, batches);
        long cachedConvs = convolutions(cached, batches);

        assertThat(cached.params()).as("parameters and BatchNorm statistics after two steps")
                .isEqualTo(plain.params());
        assertThat(cached.params()).as("the steps changed the parameters")
                .isNotEqualTo(TeacherLogitCacheTest.builder(teacher, off.resolve("fresh")).build().student().params());
        assertThat(cached.getUpdater().getStateViewArray()).as("momentum")
                .isEqualTo(plain.getUpdater().getStateViewArray());
        // one conv layer: forward + recomputed forward + backward without the cache, forward + backward with it
        assertThat(plainConvs).as("conv2d calls without the cache").isEqualTo(2 * 2);
        assertThat(cachedConvs).as("conv2d calls with the cache").isEqualTo(2);
        ForwardCache.apply(cached, false);
        assertThat(ForwardCache.keepingOutput(cached)).as("the cache turned off: DL4J's helper again").isZero();
        assertThat(convolutions(cached, batches)).as("conv2d calls with the cache turned off").isEqualTo(2 * 2);
    }

    @Test
    void onByDefault(@TempDir Path dir) {
        assertThat(ForwardCache.isOn(TeacherLogitCacheTest.builder(DistillerTest.teacher(), dir).build().student()))
                .isTrue();
    }

    @Test
    void theSettingIsPersistedAndKeptOnResume(@TempDir Path dir) throws Exception {
        TeacherLogitCacheTest.builder(DistillerTest.teacher(), dir).cacheConvActivations(false).build().runEpochs(1);
        assertThat(Distiller.RunConfig.read(dir.resolve(Distiller.CONFIG_FILE)).options().cacheConvActivations())
                .isFalse();
        Distiller resumed = Distiller.resume(dir, DistillerTest.teacher(), TeacherLogitCacheTest.data(),
                new Progress(DistillerTest.QUIET, false, 1e9, System::nanoTime), DistillerTest.QUIET);
        assertThat(ForwardCache.isOn(resumed.student())).isFalse();
        assertThat(Files.readString(dir.resolve(Distiller.LOG_FILE))).contains("conv activation cache off");
    }

    /** Fits the batches and returns how many {@code conv2d} ops ran (forward ops only; {@code conv2d_bp} apart). */
    private static long convolutions(ComputationGraph student, List<DataSet> batches) {
        DistillationListener.synchronize(student);
        OpProfiler.getInstance().reset();
        Nd4j.getExecutioner().setProfilingConfig(ProfilerConfig.builder().checkElapsedTime(true).build());
        try {
            for (DataSet b : batches) {
                student.fit(b);
            }
        } finally {
            Nd4j.getExecutioner().setProfilingConfig(ProfilerConfig.builder().build());
        }
        return OpProfiler.getInstance().getOpCounter().getCount("conv2d");
    }
}
