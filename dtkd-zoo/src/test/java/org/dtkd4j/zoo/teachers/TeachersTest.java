package org.dtkd4j.zoo.teachers;

import com.fasterxml.jackson.databind.JsonNode;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.dtkd4j.core.teacher.GraphTeacher;
import org.dtkd4j.core.teacher.SameDiffTeacher;
import org.dtkd4j.core.teacher.Teacher;
import org.dtkd4j.zoo.CifarZoo;
import org.dtkd4j.zoo.GoldenFixtures;
import org.dtkd4j.zoo.ZooSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TeachersTest {

    static final Path RESNET8 = GoldenFixtures.dir().resolve("onnx/resnet8.onnx");

    @Test
    void aZooArchitectureExportBecomesTheNativeZooGraph() {
        GraphTeacher teacher = Teachers.zooFromOnnx("resnet8", RESNET8);
        assertThat(teacher.describe()).isEqualTo("resnet8 zoo teacher from resnet8.onnx (100 classes)");
        assertThat(teacher.softmaxRemoved()).isFalse();
        JsonNode io = GoldenFixtures.io(RESNET8);
        INDArray expected = GoldenFixtures.array(io.get("output_float32"), DataType.DOUBLE);
        INDArray logits = teacher.logits(GoldenFixtures.array(io.get("input"), DataType.FLOAT)).castTo(DataType.DOUBLE);
        double maxDiff = Transforms.abs(logits.sub(expected)).maxNumber().doubleValue();
        double scale = Transforms.abs(expected).maxNumber().doubleValue();
        System.out.printf("zoo-teacher resnet8 FLOAT max|diff| %.3e relative %.3e%n", maxDiff, maxDiff / scale);
        assertThat(maxDiff).isLessThanOrEqualTo(1e-4 * scale);
    }

    @Test
    void zooWeightsMustFitTheArchitecture() {
        assertThatThrownBy(() -> Teachers.zooFromOnnx("resnet20", RESNET8))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("resnet8.onnx");
        assertThatThrownBy(() -> Teachers.zooFromOnnx("resnet9000", RESNET8))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Unknown model 'resnet9000'");
    }

    @Test
    void loadPicksTheFormatByExtension(@TempDir Path dir) throws Exception {
        try (Teacher keras = Teachers.load(Path.of("src/test/resources/keras/keras_residual.h5"))) {
            assertThat(keras).isInstanceOf(GraphTeacher.class);
            assertThat(keras.describe()).startsWith("Keras teacher keras_residual.h5");
        }
        Path zip = dir.resolve("teacher.zip");
        ComputationGraph graph = CifarZoo.build("resnet8", ZooSpec.builder().numClasses(10).build());
        ModelSerializer.writeModel(graph, zip.toFile(), false);
        try (Teacher dl4j = Teachers.load(zip)) {
            assertThat(dl4j.describe()).isEqualTo("DL4J teacher teacher.zip (10 classes)");
        }
        Path other = dir.resolve("teacher.pt");
        Files.writeString(other, "torch pickle");
        assertThatThrownBy(() -> Teachers.load(other))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("teacher file " + other + ": unknown format '.pt'; expected .onnx (ONNX), .h5/.hdf5/.keras "
                        + "(Keras 2) or .zip (DL4J ModelSerializer)");
    }

    @Test
    void loadImportsOnnxFiles() {
        assertThat(Teachers.load(RESNET8)).isInstanceOf(SameDiffTeacher.class)
                .extracting(Teacher::numClasses).isEqualTo(100);
    }
}
