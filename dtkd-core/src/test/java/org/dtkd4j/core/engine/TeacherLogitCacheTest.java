package org.dtkd4j.core.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.dtkd4j.core.config.DistillationConfig;
import org.dtkd4j.core.config.Method;
import org.dtkd4j.core.data.Augmentation;
import org.dtkd4j.core.data.TrainTestSplit;
import org.dtkd4j.core.teacher.Teacher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The augmentation option and the teacher-logit cache of {@link Distiller}, at the tiny scale of DistillerTest. */
class TeacherLogitCacheTest {

    /** 50 training examples: with batch 16, the last batch of every epoch holds 2, in another composition each time. */
    static TrainTestSplit data() {
        return new TrainTestSplit(DistillerTest.images("tiny-train", 50, 1), DistillerTest.images("tiny-test", 24, 2));
    }

    /** A teacher that counts the examples it is asked for. */
    static final class CountingTeacher implements Teacher {
        final Teacher delegate;
        long examples;

        CountingTeacher(Teacher delegate) {
            this.delegate = delegate;
        }

        @Override
        public INDArray logits(INDArray features) {
            examples += features.size(0);
            return delegate.logits(features);
        }

        @Override
        public int numClasses() {
            return delegate.numClasses();
        }

        @Override
        public String describe() {
            return delegate.describe();
        }
    }

    static Distiller.Builder builder(Teacher teacher, Path dir) {
        return Distiller.builder().student(DistillerTest.cnn(1, 4)).studentName("tiny").teacher(teacher).data(data())
                .loss(DistillationConfig.defaults(Method.DTKD)).recipe(DistillerTest.recipe(2)).runDirectory(dir)
                .progress(new Progress(DistillerTest.QUIET, false, 1e9, System::nanoTime))
                .console(DistillerTest.QUIET);
    }

    @Test
    void cachedLogitsTrainBitForBitAsTheUncachedRunAndAskTheTeacherOncePerExample(@TempDir Path plain,
                                                                                   @TempDir Path cached)
            throws Exception {
        CountingTeacher everyEpoch = new CountingTeacher(DistillerTest.teacher());
        builder(everyEpoch, plain).augmentation(Augmentation.NONE).build().run();
        CountingTeacher once = new CountingTeacher(DistillerTest.teacher());
        builder(once, cached).augmentation(Augmentation.NONE).cacheTeacherLogits(true).build().run();

        ComputationGraph a = ModelSerializer.restoreComputationGraph(plain.resolve("checkpoints/latest.zip").toFile(), true);
        ComputationGraph b = ModelSerializer.restoreComputationGraph(cached.resolve("checkpoints/latest.zip").toFile(), true);
        assertThat(b.getEpochCount()).isEqualTo(2);
        assertThat(b.params()).as("student parameters").isEqualTo(a.params());
        assertThat(b.getUpdater().getStateViewArray()).as("momentum").isEqualTo(a.getUpdater().getStateViewArray());
        assertThat(withoutTimings(cached)).hasSize(3).isEqualTo(withoutTimings(plain));
        // 2 epochs of 50 training examples + one teacher evaluation of the 24 test examples
        assertThat(everyEpoch.examples).isEqualTo(2 * 50 + 24);
        assertThat(once.examples).isEqualTo(50 + 24);
        assertThat(Files.readString(cached.resolve(Distiller.LOG_FILE)))
                .contains("caching the teacher's logits of the 50 training examples").contains("50 x 3 = 150 values");
        Distiller.Options options = Distiller.RunConfig.read(cached.resolve(Distiller.CONFIG_FILE)).options();
        assertThat(options).isEqualTo(new Distiller.Options(Augmentation.NONE, true, 1, true, true));
    }

    @Test
    void aResumedCachedRunRefillsTheCacheOnceAndEqualsTheUninterruptedRun(@TempDir Path straight,
                                                                          @TempDir Path interrupted)
            throws Exception {
        builder(DistillerTest.teacher(), straight).augmentation(Augmentation.NONE).cacheTeacherLogits(true).build()
                .run();
        builder(DistillerTest.teacher(), interrupted).augmentation(Augmentation.NONE).cacheTeacherLogits(true).build()
                .runEpochs(1);
        CountingTeacher resumed = new CountingTeacher(DistillerTest.teacher());
        Distiller.resume(interrupted, resumed, data(), new Progress(DistillerTest.QUIET, false, 1e9, System::nanoTime),
                DistillerTest.QUIET).run();

        ComputationGraph a = ModelSerializer.restoreComputationGraph(straight.resolve("checkpoints/latest.zip").toFile(), true);
        ComputationGraph b = ModelSerializer.restoreComputationGraph(interrupted.resolve("checkpoints/latest.zip").toFile(), true);
        assertThat(b.params()).as("parameters after resume").isEqualTo(a.params());
        assertThat(withoutTimings(interrupted)).isEqualTo(withoutTimings(straight));
        assertThat(resumed.examples).as("the resumed process fills its cache during its first epoch")
                .isEqualTo(50 + 24);
        assertThat(Files.readString(interrupted.resolve(Distiller.LOG_FILE)))
                .contains("with augmentation NONE, teacher logit cache on, 1 worker");
    }

    @Test
    void augmentationIsPersistedAndAnOlderConfigWithoutItMeansReference(@TempDir Path dir) throws Exception {
        builder(DistillerTest.teacher(), dir).augmentation(Augmentation.NONE).build();
        Path config = dir.resolve(Distiller.CONFIG_FILE);
        assertThat(Distiller.RunConfig.read(config).options().augmentation()).isEqualTo(Augmentation.NONE);

        ObjectMapper json = new ObjectMapper();
        ObjectNode older = (ObjectNode) json.readTree(config.toFile());
        older.remove(List.of("augmentation", "cache_teacher_logits", "workers", "cache_conv_activations",
                "fused_batch_norm"));
        json.writeValue(config.toFile(), older);
        assertThat(Files.readString(config)).doesNotContain("augmentation").contains("\"recipe\"");
        assertThat(Distiller.RunConfig.read(config).options()).isEqualTo(Distiller.Options.DEFAULTS)
                .isEqualTo(new Distiller.Options(Augmentation.REFERENCE, false, 1, false, false));
    }

    @Test
    void theCacheIsRefusedWithAugmentationOrWithoutATeacher(@TempDir Path dir) {
        assertThatThrownBy(() -> builder(DistillerTest.teacher(), dir).cacheTeacherLogits(true).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cacheTeacherLogits(true) needs augmentation NONE")
                .hasMessageContaining("found augmentation REFERENCE");
        assertThatThrownBy(() -> builder(DistillerTest.teacher(), dir).augmentation(new Augmentation(2, false))
                .cacheTeacherLogits(true).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("found augmentation (padding 2, flip false)");
        assertThatThrownBy(() -> builder(null, dir).loss(DistillationConfig.defaults(Method.NONE))
                .augmentation(Augmentation.NONE).cacheTeacherLogits(true).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cacheTeacherLogits(true) needs a teacher, found method NONE");
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void theCacheReturnsExactlyWhatTheTeacherComputedInItsDataTypeAndAsksItOnlyForNewExamples() {
        for (DataType type : new DataType[]{DataType.FLOAT, DataType.DOUBLE, DataType.BFLOAT16}) {
            int[] calls = {0};
            Teacher teacher = new Teacher() {
                @Override
                public INDArray logits(INDArray features) {
                    calls[0]++;
                    // logits of row k: features' value / 3 + class index, not representable exactly in decimal
                    return features.reshape(features.size(0), 1).repeat(1, 4)
                            .add(Nd4j.createFromArray(0.0, 1.0, 2.0, 3.0).castTo(features.dataType())).div(3);
                }

                @Override
                public int numClasses() {
                    return 4;
                }

                @Override
                public String describe() {
                    return "test teacher";
                }
            };
            TeacherLogitCache cache = new TeacherLogitCache(5, 4);
            INDArray features = Nd4j.createFromArray(4.0, 1.0, 3.0).castTo(type);
            INDArray first = cache.logits(new int[]{4, 1, 3}, features, teacher);
            assertThat(first).isEqualTo(teacher.logits(features));
            calls[0] = 0;

            // examples 3 and 1 again, in another batch: from the cache, without the teacher
            INDArray again = cache.logits(new int[]{3, 1}, Nd4j.createFromArray(99.0, 99.0).castTo(type), teacher);
            assertThat(calls[0]).isZero();
            assertThat(again.dataType()).isEqualTo(type);
            assertThat(again).isEqualTo(teacher.logits(Nd4j.createFromArray(3.0, 1.0).castTo(type)));
            calls[0] = 0;
            cache.logits(new int[]{0, 1}, Nd4j.createFromArray(0.0, 1.0).castTo(type), teacher);
            assertThat(calls[0]).isEqualTo(1);
            assertThat(cache.filled()).isEqualTo(4);
            assertThat(cache.teacherExamples()).isEqualTo(5);
        }
        assertThatThrownBy(() -> new TeacherLogitCache(1 << 20, 1 << 12)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("found 4294967296 values");
    }

    static List<String> withoutTimings(Path dir) throws Exception {
        int seconds = EpochMetrics.COLUMNS.indexOf("epoch_seconds");
        return Files.readAllLines(dir.resolve(Distiller.METRICS_FILE)).stream()
                .map(l -> String.join(",", Arrays.copyOfRange(l.split(",", -1), 0, seconds))).toList();
    }
}
