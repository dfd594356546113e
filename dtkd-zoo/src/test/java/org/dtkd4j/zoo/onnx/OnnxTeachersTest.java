package org.dtkd4j.zoo.onnx;

import com.fasterxml.jackson.databind.JsonNode;
import onnx.Onnx;
import org.dtkd4j.core.teacher.SameDiffTeacher;
import org.dtkd4j.zoo.GoldenFixtures;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every ONNX export of the golden directory ({@code dtkd.golden.dir}) imports as a teacher that reproduces torch's
 * logits: float32 within 1e-4 and float64 within 1e-9 of the largest absolute logit. A file that cannot be imported
 * fails its test.
 */
class OnnxTeachersTest {

    @TestFactory
    List<DynamicTest> everyGoldenExportReproducesTorchLogits() {
        return GoldenFixtures.perExport(OnnxTeachersTest::check);
    }

    static void check(Path file, DataType dataType, String outputKey, double rtol) {
        JsonNode io = GoldenFixtures.io(file);
        SameDiffTeacher teacher = OnnxTeachers.load(file, dataType);
        assertThat(teacher.numClasses()).isEqualTo(io.get("num_classes").asInt());
        assertThat(teacher.describe()).isEqualTo("ONNX teacher " + file.getFileName() + " ("
                + io.get("num_classes").asInt() + " classes)");

        INDArray input = GoldenFixtures.array(io.get("input"), DataType.FLOAT); // exact in float32
        INDArray expected = GoldenFixtures.array(io.get(outputKey), DataType.DOUBLE);
        INDArray logits = teacher.logits(input);
        assertThat(logits.dataType()).isEqualTo(dataType);

        assertThat(logits.shape()).containsExactly(expected.shape());
        double maxDiff = Transforms.abs(logits.castTo(DataType.DOUBLE).sub(expected)).maxNumber().doubleValue();
        double scale = Transforms.abs(expected).maxNumber().doubleValue();
        System.out.printf("onnx-teacher %-12s %-7s max|diff| %.3e  max|logit| %.4f  relative %.3e%n",
                GoldenFixtures.modelName(file), dataType, maxDiff, scale, maxDiff / scale);
        assertThat(maxDiff).as(file.getFileName() + " " + dataType + " max |logit - torch|")
                .isLessThanOrEqualTo(rtol * scale);
    }

    @Test
    void inputsOfAnotherShapeNameBothShapes() {
        Path export = GoldenFixtures.smallestExport();
        SameDiffTeacher teacher = OnnxTeachers.load(export);
        assertThatThrownBy(() -> teacher.logits(Nd4j.rand(DataType.FLOAT, 2, 1, 28, 28)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("ONNX teacher " + export.getFileName() + ": input of shape [2, 1, 28, 28] does not fit "
                        + "the model's input [-1, 3, 32, 32] (DL4J layout, -1 = any size)");
        assertThat(teacher.logits(Nd4j.rand(DataType.FLOAT, 1, 3, 32, 32)).shape())
                .containsExactly(1, GoldenFixtures.io(export).get("num_classes").asInt());
    }

    @Test
    void unsupportedOpsAreNamedBeforeImport(@TempDir Path dir) throws Exception {
        Onnx.ModelProto export = OnnxFiles.read(GoldenFixtures.smallestExport());
        Onnx.GraphProto.Builder g = export.getGraph().toBuilder();
        for (int i = 0, relu = 0; i < g.getNodeCount() && relu < 3; i++) {
            if (g.getNode(i).getOpType().equals("Relu")) {
                g.getNodeBuilder(i).setOpType(relu++ < 2 ? "Mish" : "Softsign2");
            }
        }
        Path file = dir.resolve("exotic.onnx");
        Files.write(file, export.toBuilder().setGraph(g).build().toByteArray());

        assertThat(OnnxOps.supported()).contains("Conv", "Gemm", "Relu").doesNotContain("Mish");
        assertThatThrownBy(() -> OnnxTeachers.load(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("ONNX file " + file + ": uses ops the DL4J ONNX importer does not support: "
                        + "Mish (2 nodes), Softsign2 (1 node)");
    }

    @Test
    void badFilesGiveOneLineErrorsNamingTheFile(@TempDir Path dir) throws Exception {
        assertBad(dir.resolve("missing.onnx"), "not found");
        Path text = dir.resolve("notes.onnx");
        Files.writeString(text, "this is not a model\n");
        assertBad(text, "not");
        byte[] whole = Files.readAllBytes(GoldenFixtures.smallestExport());
        Path truncated = dir.resolve("truncated.onnx");
        Files.write(truncated, Arrays.copyOf(whole, whole.length / 2));
        assertBad(truncated, "truncated");
        Path h5 = dir.resolve("model.h5");
        Files.write(h5, Files.readAllBytes(Path.of("src/test/resources/keras/keras_residual.h5")));
        assertBad(h5, "not");
        assertThatThrownBy(() -> OnnxTeachers.load(GoldenFixtures.smallestExport(), DataType.HALF))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("found HALF");
    }

    private static void assertBad(Path file, String what) {
        assertThatThrownBy(() -> OnnxTeachers.load(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("ONNX file " + file + ": ")
                .hasMessageContaining(what)
                .hasMessageNotContaining("\n");
    }
}
