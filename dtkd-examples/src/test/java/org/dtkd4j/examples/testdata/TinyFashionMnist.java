package org.dtkd4j.examples.testdata;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

/**
 * Writes a learnable Fashion-MNIST stand-in in the real file format that {@code Datasets.fashionMnist} reads: the
 * four gzipped IDX files of 28x28 grey images in 10 classes, where image {@code i} has label {@code i % 10} and class
 * {@code k} is a bright 6x6 square at a position of its own over uniform noise. The files are the same for the same
 * arguments.
 */
public final class TinyFashionMnist {

    private TinyFashionMnist() {
    }

    /**
     * Writes {@code train-images-idx3-ubyte.gz}, {@code train-labels-idx1-ubyte.gz}, {@code t10k-images-idx3-ubyte.gz}
     * and {@code t10k-labels-idx1-ubyte.gz}.
     *
     * @param dir   the dataset directory (created if needed)
     * @param train training images
     * @param test  test images
     * @return {@code dir}
     */
    public static Path write(Path dir, int train, int test) {
        Random random = new Random(7);
        try {
            Files.createDirectories(dir);
            split(dir, "train", train, random);
            split(dir, "t10k", test, random);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the Fashion-MNIST files into " + dir, e);
        }
        return dir;
    }

    private static void split(Path dir, String prefix, int n, Random random) throws IOException {
        try (DataOutputStream images = gzip(dir.resolve(prefix + "-images-idx3-ubyte.gz"));
             DataOutputStream labels = gzip(dir.resolve(prefix + "-labels-idx1-ubyte.gz"))) {
            images.writeInt(0x803);
            images.writeInt(n);
            images.writeInt(28);
            images.writeInt(28);
            labels.writeInt(0x801);
            labels.writeInt(n);
            for (int i = 0; i < n; i++) {
                int label = i % 10;
                labels.writeByte(label);
                int top = 3 + (label / 5) * 12;
                int left = 1 + (label % 5) * 5;
                for (int y = 0; y < 28; y++) {
                    for (int x = 0; x < 28; x++) {
                        boolean square = y >= top && y < top + 6 && x >= left && x < left + 6;
                        images.writeByte(random.nextInt(50) + (square ? 190 : 0));
                    }
                }
            }
        }
    }

    private static DataOutputStream gzip(Path file) throws IOException {
        return new DataOutputStream(new GZIPOutputStream(Files.newOutputStream(file)));
    }
}
