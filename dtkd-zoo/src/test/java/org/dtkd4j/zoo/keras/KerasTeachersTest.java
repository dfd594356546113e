package org.dtkd4j.zoo.keras;

import com.fasterxml.jackson.databind.JsonNode;
import org.dtkd4j.core.teacher.GraphTeacher;
import org.dtkd4j.zoo.GoldenFixtures;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The Keras 2 fixtures of {@code src/test/resources/keras} (written by {@code generate_keras_fixtures.py} with h5py,
 * expected logits from its independent numpy forward pass) import as teachers that reproduce those logits within
 * 1e-4 of the largest absolute logit, from NCHW input: two Functional models (one with a residual Add, one with a
 * channels-last Flatten and a softmax Dense layer) and a Sequential one (softmax Dense layer).
 */
class KerasTeachersTest {

    static final Path DIR = Path.of("src/test/resources/keras");

    @ParameterizedTest
    @ValueSource(strings = {"keras_residual", "keras_flatten_softmax", "keras_sequential"})
    void importedModelsReproduceTheNumpyLogits(String name) {
        JsonNode expectedJson = GoldenFixtures.json(DIR.resolve(name + ".json"));
        GraphTeacher teacher = KerasTeachers.load(DIR.resolve(name + ".h5"));
        INDArray input = GoldenFixtures.array(expectedJson.get("input_nchw"), DataType.FLOAT);
        INDArray expected = GoldenFixtures.array(expectedJson.get("logits"), DataType.DOUBLE);
        boolean softmax = expectedJson.get("last_activation").asText().equals("softmax");

        INDArray logits = teacher.logits(input).castTo(DataType.DOUBLE);
        assertThat(teacher.numClasses()).isEqualTo(expected.size(1));
        assertThat(teacher.softmaxRemoved()).isEqualTo(softmax);
        assertThat(teacher.describe()).startsWith("Keras teacher " + name + ".h5 (" + expected.size(1) + " classes");
        assertThat(logits.shape()).containsExactly(expected.shape());
        double maxDiff = Transforms.abs(logits.sub(expected)).maxNumber().doubleValue();
        double scale = Transforms.abs(expected).maxNumber().doubleValue();
        System.out.printf("keras-teacher %-22s max|diff| %.3e  max|logit| %.4f  relative %.3e%n", name, maxDiff,
                scale, maxDiff / scale);
        assertThat(maxDiff).as(name + " max |logit - numpy|").isLessThanOrEqualTo(1e-4 * scale);
    }

    @Test
    void theInputIsValidatedInDl4jLayout() {
        GraphTeacher teacher = KerasTeachers.load(DIR.resolve("keras_residual.h5"));
        // an NHWC batch handed over as is: 12 "channels" where the model has 3
        assertThatThrownBy(() -> teacher.logits(Nd4j.rand(DataType.FLOAT, 2, 12, 12, 3)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Keras teacher keras_residual.h5: input of shape [2, 12, 12, 3] does not fit the model's "
                        + "input [-1, 3, -1, -1] (DL4J layout, -1 = any size)");
    }

    @Test
    void badFilesGiveOneLineErrorsNamingTheFile(@TempDir Path dir) throws Exception {
        assertBad(dir.resolve("missing.h5"), "not found");
        Path text = dir.resolve("notes.h5");
        Files.writeString(text, "this is not a model\n");
        assertBad(text, "not an HDF5 file");
        Path onnx = dir.resolve("model.h5");
        Files.copy(GoldenFixtures.smallestExport(), onnx);
        assertBad(onnx, "not an HDF5 file");
        byte[] whole = Files.readAllBytes(DIR.resolve("keras_residual.h5"));
        Path truncated = dir.resolve("truncated.h5");
        Files.write(truncated, Arrays.copyOf(whole, whole.length / 2));
        assertBad(truncated, "truncated");
    }

    private static void assertBad(Path file, String what) {
        assertThatThrownBy(() -> KerasTeachers.load(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Keras file " + file + ": ")
                .hasMessageContaining(what)
                .hasMessageNotContaining("\n");
    }
}
