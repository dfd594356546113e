package org.dtkd4j.zoo.onnx;

import onnx.Onnx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A PyTorch export of a VGG-style model (the reference's vgg8 at 1/8 width: conv-BN-ReLU blocks, max pooling,
 * global average pooling, {@code view}, Linear; {@code src/test/resources/onnx/vgg8_slim.onnx}, written with torch's
 * logits by {@code generate_vgg_onnx.py} next to it) imports in float32 and then float64 in one JVM and reproduces
 * torch to the golden tolerances. Importing its {@code GlobalAveragePool} as such corrupted the native heap and
 * aborted this JVM (at the next import or at exit); should that come back, the forked test JVM dies and the run fails.
 */
class VggExportTest {

    private static final Path VGG = Path.of("src/test/resources/onnx/vgg8_slim.onnx");

    @Test
    void maxPoolingExportReproducesTorchInFloatThenDouble() {
        Onnx.GraphProto rewritten = OnnxRewriter.forImport(OnnxFiles.read(VGG)).getGraph();
        assertThat(rewritten.getNodeList()).extracting(Onnx.NodeProto::getOpType)
                .contains("MaxPool", "ReduceMean").doesNotContain("GlobalAveragePool");

        OnnxTeachersTest.check(VGG, DataType.FLOAT, "output_float32", 1e-4);
        OnnxTeachersTest.check(VGG, DataType.DOUBLE, "output_float64", 1e-9);
        OnnxTeachersTest.check(VGG, DataType.FLOAT, "output_float32", 1e-4);
    }

    @Test
    void aGlobalPoolOfUnknownInputRankIsRefusedNamingFileOpAndType(@TempDir Path dir) throws Exception {
        // route the global pool's input through a Reshape (copying every dimension): its rank is no longer derivable
        Onnx.ModelProto vgg = OnnxFiles.read(VGG);
        Onnx.GraphProto.Builder g = vgg.getGraph().toBuilder();
        Onnx.NodeProto.Builder pool = g.getNodeBuilderList().stream()
                .filter(n -> n.getOpType().equals("GlobalAveragePool")).findFirst().orElseThrow();
        String features = pool.getInput(0);
        pool.setInput(0, "reshaped");
        g.addInitializer(Onnx.TensorProto.newBuilder().setName("same_shape").addDims(4)
                .setDataType(Onnx.TensorProto.DataType.INT64_VALUE).addInt64Data(0).addInt64Data(0).addInt64Data(0)
                .addInt64Data(0));
        g.addNode(Onnx.NodeProto.newBuilder().setOpType("Reshape").setName("reshape").addInput(features)
                .addInput("same_shape").addOutput("reshaped"));
        Onnx.GraphProto.Builder sorted = g.clone().clearNode();
        for (Onnx.NodeProto n : g.getNodeList()) {   // keep the nodes topologically sorted: Reshape before the pool
            if (n.getOpType().equals("GlobalAveragePool")) {
                sorted.addNode(g.getNode(g.getNodeCount() - 1));
            }
            if (!n.getName().equals("reshape")) {
                sorted.addNode(n);
            }
        }
        Path file = dir.resolve("vgg_reshaped.onnx");
        Files.write(file, vgg.toBuilder().setGraph(sorted).build().toByteArray());

        for (DataType type : new DataType[]{DataType.FLOAT, DataType.DOUBLE}) {
            assertThatThrownBy(() -> OnnxTeachers.load(file, type))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("ONNX file " + file + ": cannot be imported in " + type
                            + ": GlobalAveragePool (1 node) would corrupt native memory")
                    .hasMessageNotContaining("\n");
        }
    }
}
