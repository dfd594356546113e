package org.dtkd4j.zoo.onnx;

import com.fasterxml.jackson.databind.JsonNode;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dtkd4j.zoo.CifarZoo;
import org.dtkd4j.zoo.GoldenFixtures;
import org.dtkd4j.zoo.ZooSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NumpyArchivesTest {

    @TempDir
    Path tmp;

    /** A {@code .npy} entry (format 1.0) as NumPy writes it: magic, header padded to 64 bytes, values. */
    private static byte[] npy(String descr, boolean fortran, String shape, ByteOrder order, Number... values) {
        String header = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False")
                + ", 'shape': " + shape + ", }";
        int pad = 64 - (10 + header.length() + 1) % 64;
        header = header + " ".repeat(pad % 64) + "\n";
        int size = Integer.parseInt(descr.substring(2));
        ByteBuffer data = ByteBuffer.allocate(values.length * size).order(order);
        for (Number v : values) {
            switch (descr.substring(1)) {
                case "f8" -> data.putDouble(v.doubleValue());
                case "f4" -> data.putFloat(v.floatValue());
                case "i8" -> data.putLong(v.longValue());
                case "i4" -> data.putInt(v.intValue());
                default -> data.put(v.byteValue());
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
        out.writeBytes(ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort((short) header.length())
                .array());
        out.writeBytes(header.getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes(data.array());
        return out.toByteArray();
    }

    private Path archive(Map<String, byte[]> entries, boolean compressed) throws IOException {
        Path file = tmp.resolve(compressed ? "c.npz" : "s.npz");
        try (OutputStream os = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(os)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                ZipEntry entry = new ZipEntry(e.getKey());
                if (!compressed) {
                    CRC32 crc = new CRC32();
                    crc.update(e.getValue());
                    entry.setMethod(ZipEntry.STORED);
                    entry.setSize(e.getValue().length);
                    entry.setCrc(crc.getValue());
                }
                zip.putNextEntry(entry);
                zip.write(e.getValue());
                zip.closeEntry();
            }
        }
        return file;
    }

    @ParameterizedTest(name = "compressed {0}")
    @ValueSource(booleans = {false, true})
    void readsEveryDtypeOrderAndShapeAsNumPyWroteThem(boolean compressed) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        ByteOrder le = ByteOrder.LITTLE_ENDIAN;
        entries.put("layer1.0.conv1.weight.npy", npy("<f8", false, "(2, 3)", le, 1.5, -2.0, 3.25, 0.0, 1e-300, 7.0));
        entries.put("fortran.npy", npy("<f8", true, "(2, 3)", le, 1, 4, 2, 5, 3, 6));
        entries.put("big.npy", npy(">f4", false, "(2,)", ByteOrder.BIG_ENDIAN, 0.5f, -8f));
        entries.put("bn1.num_batches_tracked.npy", npy("<i8", false, "()", le, 12L));
        entries.put("y.npy", npy("<i4", false, "(1, 2)", le, 3, 9));
        entries.put("flags.npy", npy("|b1", false, "(3,)", le, 1, 0, 1));

        Map<String, INDArray> read = NumpyArchives.read(archive(entries, compressed));

        assertThat(read.keySet()).containsExactly("layer1.0.conv1.weight", "fortran", "big",
                "bn1.num_batches_tracked", "y", "flags");
        INDArray w = read.get("layer1.0.conv1.weight");
        assertThat(w.dataType()).isEqualTo(DataType.DOUBLE);
        assertThat(w.shape()).containsExactly(2, 3);
        assertThat(w.toDoubleMatrix()).isEqualTo(new double[][] {{1.5, -2.0, 3.25}, {0.0, 1e-300, 7.0}});
        assertThat(read.get("fortran").toDoubleMatrix()).isEqualTo(new double[][] {{1, 2, 3}, {4, 5, 6}});
        assertThat(read.get("big").dataType()).isEqualTo(DataType.FLOAT);
        assertThat(read.get("big").toFloatVector()).containsExactly(0.5f, -8f);
        INDArray scalar = read.get("bn1.num_batches_tracked");
        assertThat(scalar.rank()).isZero();
        assertThat(scalar.dataType()).isEqualTo(DataType.LONG);
        assertThat(scalar.getLong(0)).isEqualTo(12L);
        assertThat(read.get("y").dataType()).isEqualTo(DataType.INT);
        assertThat(read.get("y").toIntMatrix()).isEqualTo(new int[][] {{3, 9}});
        assertThat(read.get("flags").dataType()).isEqualTo(DataType.BOOL);
        assertThat(read.get("flags").getDouble(1)).isZero();
        assertThat(read.get("flags").getDouble(2)).isEqualTo(1.0);
    }

    @Test
    void rejectsWhatItCannotReadNamingFileAndEntry() throws IOException {
        ByteOrder le = ByteOrder.LITTLE_ENDIAN;
        Path complex = archive(Map.of("z.npy", npy("<c16", false, "(1,)", le)), false);
        assertThatThrownBy(() -> NumpyArchives.read(complex)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(complex.toString()).hasMessageContaining("'z.npy'")
                .hasMessageContaining("dtype <c16");
        byte[] whole = npy("<f8", false, "(3,)", le, 1.0, 2.0, 3.0);
        byte[] cut = java.util.Arrays.copyOf(whole, whole.length - 8);
        Path truncated = archive(Map.of("t.npy", cut), true);
        assertThatThrownBy(() -> NumpyArchives.read(truncated)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'t.npy'").hasMessageContaining("needs 24 bytes of data, found 16");
        Path text = archive(Map.of("notes.txt", "hello".getBytes(StandardCharsets.UTF_8)), false);
        assertThatThrownBy(() -> NumpyArchives.read(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'notes.txt' is not a .npy array");
        Path notZip = Files.writeString(tmp.resolve("plain.npz"), "not an archive");
        assertThatThrownBy(() -> NumpyArchives.read(notZip)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot read NPZ file " + notZip);
    }

    @Test
    void loadsAStateDictArchiveIntoAZooGraphExactly() throws IOException {
        Path scenario;
        try (Stream<Path> dirs = Files.list(GoldenFixtures.dir().resolve("trajectory"))) {
            scenario = dirs.filter(d -> Files.isRegularFile(d.resolve("scenario.json"))).sorted().findFirst()
                    .orElseThrow();
        }
        JsonNode json = GoldenFixtures.json(scenario.resolve("scenario.json"));
        Path init = scenario.resolve("student_init.npz");
        Map<String, INDArray> dict = NumpyArchives.read(init);
        ComputationGraph graph = CifarZoo.build(json.get("student").asText(), ZooSpec.builder()
                .numClasses(json.get("num_classes").asInt()).dataType(DataType.DOUBLE).build());
        assertThat(PyTorchWeights.expectedShapes(graph).keySet()).containsExactlyInAnyOrderElementsOf(dict.keySet());

        PyTorchWeights.loadNpz(graph, init);

        String conv = dict.keySet().stream().filter(k -> dict.get(k).rank() == 4).findFirst().orElseThrow();
        String var = dict.keySet().stream().filter(k -> k.endsWith(".running_var")).findFirst().orElseThrow();
        assertThat(graph.getLayer(conv.substring(0, conv.length() - ".weight".length())).getParam("W"))
                .isEqualTo(dict.get(conv));
        assertThat(graph.getLayer(var.substring(0, var.length() - ".running_var".length())).getParam("var")
                .reshape(-1)).isEqualTo(dict.get(var));
    }
}
