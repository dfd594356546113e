package org.dtkd4j.core.engine;

import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.dtkd4j.core.config.DistillationConfig;
import org.dtkd4j.core.config.Method;
import org.dtkd4j.core.data.Augmentation;
import org.dtkd4j.core.data.ImageDataSetIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link Distiller#fit}: the epoch loop's step on the caller's batches, and the builder's default recipe. */
class DistillerFitTest {

    private static Distiller.Builder builder(Method method, Path dir) {
        return Distiller.builder().student(DistillerTest.cnn(1, 4)).studentName("tiny")
                .teacher(method.usesTeacher() ? DistillerTest.teacher() : null).data(DistillerTest.data())
                .loss(DistillationConfig.defaults(method)).runDirectory(dir)
                .progress(new Progress(DistillerTest.QUIET, false, 1e9, System::nanoTime))
                .console(DistillerTest.QUIET);
    }

    @Test
    void fitOnTheEpochsBatchesIsExactlyTheEpochRunTrains(@TempDir Path a, @TempDir Path b) {
        TrainingRecipe recipe = DistillerTest.recipe(2);
        Distiller run = builder(Method.DTKD, a).recipe(recipe).build();
        run.runEpochs(1);
        Distiller steps = builder(Method.DTKD, b).recipe(recipe).build();
        try (ImageDataSetIterator it = ImageDataSetIterator.builder(DistillerTest.data().train())
                .batchSize(recipe.batchSize()).shuffle(true).augmentation(Augmentation.REFERENCE)
                .seed(recipe.seed()).dataType(DataType.FLOAT).build()) {
            it.setEpoch(0);
            steps.fit(1, it);
        }
        INDArray want = run.student().params();
        assertThat(steps.student().params()).isEqualTo(want);
        assertThat(steps.student().getEpochCount()).isZero();
    }

    @Test
    void fitRefusesEpochsOutsideTheRecipeOrBeforeTheStudents(@TempDir Path dir) {
        Distiller d = builder(Method.KD, dir).recipe(DistillerTest.recipe(3)).build();
        ImageDataSetIterator none = ImageDataSetIterator.builder(DistillerTest.data().train()).batchSize(16).build();
        assertThatThrownBy(() -> d.fit(0, none)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("epoch must be in 1..3 (the student has completed 0 epochs, the recipe has 3), found 0");
        assertThatThrownBy(() -> d.fit(4, none)).hasMessageEndingWith("found 4");
        d.fit(2, none);
        assertThat(d.student().getEpochCount()).isEqualTo(1);
        assertThatThrownBy(() -> d.fit(1, none)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("epoch must be in 2..3 (the student has completed 1 epochs, the recipe has 3), found 1");
    }

    @ParameterizedTest
    @CsvSource({"tiny, 0.05", "resnet8, 0.05", "MobileNetV2, 0.01", "ShuffleV1, 0.01", "ShuffleV2, 0.01"})
    void withoutARecipeTheLearningRateIsTheReferencesForTheStudent(String name, double lr, @TempDir Path dir) {
        Distiller d = builder(Method.NONE, dir).studentName(name).build();
        TrainingRecipe recipe = Distiller.RunConfig.read(dir.resolve(Distiller.CONFIG_FILE)).recipe();
        assertThat(recipe).isEqualTo(TrainingRecipe.reference(name));
        assertThat(recipe.learningRate()).isEqualTo(lr);
        BaseLayer conv = (BaseLayer) d.student().getLayer("conv").conf().getLayer();
        assertThat(conv.getIUpdater().getLearningRate(0, 0)).isEqualTo(lr);
    }
}
