package org.dtkd4j.zoo.teacher;

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

    @Test
    void aZooArchitectureExportBecomesTheNativeZooGraph() {
        Path export = GoldenFixtures.smallestExport();
        String model = GoldenFixtures.modelName(export);
        GraphTeacher teacher = Teachers.zooFromOnnx(model, export);
        JsonNode io = GoldenFixtures.io(export);
        assertThat(teacher.describe()).isEqualTo(model + " zoo teacher from " + export.getFileName() + " ("
                + io.get("num_classes").asInt() + " classes)");
        assertThat(teacher.softmaxRemoved()).isFalse();
        INDArray expected = GoldenFixtures.array(io.get("output_float32"), DataType.DOUBLE);
        INDArray logits = teacher.logits(GoldenFixtures.array(io.get("input"), DataType.FLOAT)).castTo(DataType.DOUBLE);
        double maxDiff = Transforms.abs(logits.sub(expected)).maxNumber().doubleValue();
        double scale = Transforms.abs(expected).maxNumber().doubleValue();
        System.out.printf("zoo-teacher %s FLOAT max|diff| %.3e relative %.3e%n", model, maxDiff, maxDiff / scale);
        assertThat(maxDiff).isLessThanOrEqualTo(1e-4 * scale);
    }

    @Test
    void zooWeightsMustFitTheArchitecture() {
        Path export = GoldenFixtures.smallestExport();
        String other = CifarZoo.names().stream().filter(n -> !n.equals(GoldenFixtures.modelName(export)))
                .findFirst().orElseThrow();
        assertThatThrownBy(() -> Teachers.zooFromOnnx(other, export))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(export.getFileName().toString());
        assertThatThrownBy(() -> Teachers.zooFromOnnx("resnet9000", export))
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
        Path export = GoldenFixtures.smallestExport();
        assertThat(Teachers.load(export)).isInstanceOf(SameDiffTeacher.class)
                .extracting(Teacher::numClasses).isEqualTo(GoldenFixtures.io(export).get("num_classes").asInt());
    }
}
