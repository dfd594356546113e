package org.dtkd4j.zoo.onnx;

import onnx.Onnx;
import org.dtkd4j.zoo.GoldenFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OnnxFilesTest {

    @Test
    void readsTheInitializersOfAnExport() {
        Onnx.ModelProto model = OnnxFiles.read(GoldenFixtures.smallestExport());
        Map<String, INDArray> init = OnnxFiles.initializers(model, DataType.DOUBLE);
        assertThat(init.keySet()).containsExactlyElementsOf(model.getGraph().getInitializerList().stream()
                .map(Onnx.TensorProto::getName).toList());
        for (Onnx.TensorProto t : model.getGraph().getInitializerList()) {
            INDArray a = init.get(t.getName());
            assertThat(a.shape()).as(t.getName()).containsExactly(t.getDimsList().stream().mapToLong(d -> d)
                    .toArray());
            assertThat(a.dataType()).as(t.getName()).isEqualTo(
                    t.getDataType() == Onnx.TensorProto.DataType.FLOAT_VALUE ? DataType.DOUBLE : DataType.LONG);
        }
        assertThat(init.keySet()).filteredOn(k -> k.endsWith(".running_var")).isNotEmpty()
                .allSatisfy(k -> assertThat(init.get(k).minNumber().doubleValue()).as(k).isPositive());
    }

    @Test
    void typedAndRawStorageGiveTheSameValues() {
        float[] values = {1.5f, -2.25f, 3f, 0.125f, 7f, -0.5f};
        Onnx.TensorProto.Builder typed = Onnx.TensorProto.newBuilder().setName("w")
                .setDataType(Onnx.TensorProto.DataType.FLOAT_VALUE).addDims(2).addDims(3);
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(4 * values.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            typed.addFloatData(v);
            buf.putFloat(v);
        }
        Onnx.TensorProto raw = Onnx.TensorProto.newBuilder().setName("w")
                .setDataType(Onnx.TensorProto.DataType.FLOAT_VALUE).addDims(2).addDims(3)
                .setRawData(org.nd4j.shade.protobuf.ByteString.copyFrom(buf.array())).build();
        INDArray a = OnnxFiles.toArray(typed.build(), DataType.FLOAT);
        INDArray b = OnnxFiles.toArray(raw, DataType.FLOAT);
        assertThat(a.shape()).containsExactly(2, 3);
        assertThat(a).isEqualTo(b);
        assertThat(a.getFloat(1, 0)).isEqualTo(0.125f);
        assertThat(a.reshape(6).toFloatVector()).containsExactly(values);
    }

    @Test
    void badFilesGiveOneLineErrorsNamingTheFile(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("missing.onnx");
        assertThatThrownBy(() -> OnnxFiles.read(missing))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("missing.onnx").hasMessageContaining("not found");

        Path text = dir.resolve("notes.onnx");
        Files.writeString(text, "this is not a model\n");
        assertThatThrownBy(() -> OnnxFiles.read(text))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("notes.onnx");

        byte[] whole = Files.readAllBytes(GoldenFixtures.smallestExport());
        Path truncated = dir.resolve("truncated.onnx");
        Files.write(truncated, Arrays.copyOf(whole, whole.length / 2));
        assertThatThrownBy(() -> OnnxFiles.read(truncated))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("truncated.onnx")
                .hasMessageNotContaining("\n");
    }
}
