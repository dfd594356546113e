package org.dtkd4j.core.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.DataSet;

/** Writes tiny data files in the exact CIFAR binary and gzipped IDX formats, and builds synthetic datasets. */
final class DataFixtures {

    /** Normalisation with mean 0 and std 1: features are {@code p / 255}, padding is exactly 0. */
    static final Normalization UNIT_3 = Normalization.of(new double[]{0, 0, 0}, new double[]{1, 1, 1});

    private DataFixtures() {
    }

    /** The synthetic pixel of example {@code e}, channel {@code c}, row {@code y}, column {@code x}. */
    static int pixel(int e, int c, int y, int x) {
        return (e * 31 + c * 101 + y * 7 + x * 3) & 0xFF;
    }

    /** One CIFAR record: the label bytes, then 1024 red, 1024 green and 1024 blue bytes of {@link #pixel}. */
    static byte[] cifarRecord(int example, int... labelBytes) {
        byte[] record = new byte[labelBytes.length + 3 * 32 * 32];
        for (int i = 0; i < labelBytes.length; i++) {
            record[i] = (byte) labelBytes[i];
        }
        int p = labelBytes.length;
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 32; y++) {
                for (int x = 0; x < 32; x++) {
                    record[p++] = (byte) pixel(example, c, y, x);
                }
            }
        }
        return record;
    }

    /** The CIFAR-10 label of synthetic example {@code e}. */
    static int cifar10Label(int e) {
        return (e * 3) % 10;
    }

    /** The CIFAR-100 fine label of synthetic example {@code e}; its coarse label is {@code fine / 5}. */
    static int cifar100Label(int e) {
        return (e * 37) % 100;
    }

    /** Writes the six CIFAR-10 files with {@code perFile} records each, examples numbered across files. */
    static void writeCifar10(Path dir, int perFile) {
        List<String> files = List.of("data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin",
                "data_batch_5.bin", "test_batch.bin");
        int example = 0;
        for (String file : files) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (int r = 0; r < perFile; r++, example++) {
                out.writeBytes(cifarRecord(example, cifar10Label(example)));
            }
            write(dir.resolve(file), out.toByteArray());
        }
    }

    /** Writes CIFAR-100 {@code train.bin} (examples 0..train-1) and {@code test.bin} (the next {@code test}). */
    static void writeCifar100(Path dir, int train, int test) {
        write(dir.resolve("train.bin"), cifar100Records(0, train));
        write(dir.resolve("test.bin"), cifar100Records(train, test));
    }

    private static byte[] cifar100Records(int first, int count) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int e = first; e < first + count; e++) {
            out.writeBytes(cifarRecord(e, cifar100Label(e) / 5, cifar100Label(e)));
        }
        return out.toByteArray();
    }

    /** An IDX images file (magic 0x803) of {@code count} images of {@code rows x columns}, channel-0 pixels. */
    static byte[] idxImages(int count, int rows, int columns) {
        ByteBuffer buffer = ByteBuffer.allocate(16 + count * rows * columns);
        buffer.putInt(0x803).putInt(count).putInt(rows).putInt(columns);
        for (int e = 0; e < count; e++) {
            for (int y = 0; y < rows; y++) {
                for (int x = 0; x < columns; x++) {
                    buffer.put((byte) pixel(e, 0, y, x));
                }
            }
        }
        return buffer.array();
    }

    /** An IDX labels file (magic 0x801). */
    static byte[] idxLabels(int... labels) {
        ByteBuffer buffer = ByteBuffer.allocate(8 + labels.length);
        buffer.putInt(0x801).putInt(labels.length);
        for (int label : labels) {
            buffer.put((byte) label);
        }
        return buffer.array();
    }

    /** The Fashion-MNIST label of synthetic example {@code e}. */
    static int fashionLabel(int e) {
        return (e * 7) % 10;
    }

    /** Writes the four gzipped Fashion-MNIST files: train examples 0..train-1, test examples 0..test-1. */
    static void writeFashionMnist(Path dir, int train, int test) {
        gzip(dir.resolve("train-images-idx3-ubyte.gz"), idxImages(train, 28, 28));
        gzip(dir.resolve("train-labels-idx1-ubyte.gz"), idxLabels(fashionLabels(train)));
        gzip(dir.resolve("t10k-images-idx3-ubyte.gz"), idxImages(test, 28, 28));
        gzip(dir.resolve("t10k-labels-idx1-ubyte.gz"), idxLabels(fashionLabels(test)));
    }

    static int[] fashionLabels(int count) {
        int[] labels = new int[count];
        for (int e = 0; e < count; e++) {
            labels[e] = fashionLabel(e);
        }
        return labels;
    }

    static void gzip(Path file, byte[] content) {
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void write(Path file, byte[] content) {
        try {
            Files.write(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A dataset of {@code size} images of {@code channels x side x side} with pixels {@link #pixel} and label
     * {@code e % classes}, unit normalisation.
     */
    static ImageDataset synthetic(String name, int size, int classes, int channels, int side) {
        byte[] pixels = new byte[size * channels * side * side];
        int[] labels = new int[size];
        int p = 0;
        for (int e = 0; e < size; e++) {
            labels[e] = e % classes;
            for (int c = 0; c < channels; c++) {
                for (int y = 0; y < side; y++) {
                    for (int x = 0; x < side; x++) {
                        pixels[p++] = (byte) pixel(e, c, y, x);
                    }
                }
            }
        }
        double[] zeros = new double[channels];
        double[] ones = new double[channels];
        Arrays.fill(ones, 1.0);
        return ImageDataset.of(name, classes, List.of(), channels, side, side, pixels, labels,
                Normalization.of(zeros, ones));
    }

    /** Features, labels and shape of a batch, as plain arrays compared by content. */
    record Snapshot(double[] features, double[] labels, long[] shape) {

        static Snapshot of(DataSet batch) {
            INDArray features = batch.getFeatures();
            return new Snapshot(features.dup().data().asDouble(), batch.getLabels().dup().data().asDouble(),
                    features.shape());
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Snapshot s && Arrays.equals(features, s.features)
                    && Arrays.equals(labels, s.labels) && Arrays.equals(shape, s.shape);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(features) * 31 + Arrays.hashCode(labels);
        }

        @Override
        public String toString() {
            return "Snapshot(shape=" + Arrays.toString(shape) + ", features[0..3]="
                    + Arrays.toString(Arrays.copyOf(features, Math.min(4, features.length))) + ")";
        }
    }
}
