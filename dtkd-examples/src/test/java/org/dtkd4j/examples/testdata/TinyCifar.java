package org.dtkd4j.examples.testdata;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.function.IntUnaryOperator;

/**
 * Writes small CIFAR binary files (the format of {@code org.dtkd4j.core.data.CifarBinary}) whose classes are
 * learnable: every image of class {@code k} is a flat colour of that class plus seeded noise, so a small CNN tells
 * the classes apart within a few epochs. Example {@code e} (numbered across the training then the test files) has
 * the colour of class {@code e % classes}, and that label unless a test sets the labels. The files are the same for
 * the same arguments.
 */
public final class TinyCifar {

    private static final int SIDE = 32;
    private static final int NOISE = 24;

    private TinyCifar() {
    }

    /**
     * Writes CIFAR-10's five training batches ({@code train / 5} images each) and its test batch.
     *
     * @param dir   the dataset directory (created if needed)
     * @param train training images, a multiple of 5 to use them all
     * @param test  test images
     * @return {@code dir}
     */
    public static Path cifar10(Path dir, int train, int test) {
        createDirectories(dir);
        int perBatch = train / 5;
        for (int b = 0; b < 5; b++) {
            write(dir.resolve("data_batch_" + (b + 1) + ".bin"), records(10, b * perBatch, perBatch, false,
                    e -> e % 10));
        }
        write(dir.resolve("test_batch.bin"), records(10, train, test, false, e -> e % 10));
        return dir;
    }

    /**
     * Writes CIFAR-100's {@code train.bin} and {@code test.bin}, with coarse labels {@code fine / 5}.
     *
     * @param dir   the dataset directory (created if needed)
     * @param train training images
     * @param test  test images
     * @return {@code dir}
     */
    public static Path cifar100(Path dir, int train, int test) {
        createDirectories(dir);
        write(dir.resolve("train.bin"), records(100, 0, train, true, e -> e % 100));
        write(dir.resolve("test.bin"), records(100, train, test, true, e -> e % 100));
        return dir;
    }

    /**
     * Rewrites the {@code test.bin} of {@link #cifar100} with the same images and other labels.
     *
     * @param dir    the directory {@link #cifar100} wrote
     * @param train  the number of training images {@link #cifar100} was given
     * @param labels the new label of each test image, 0..99
     */
    public static void relabelCifar100Test(Path dir, int train, int[] labels) {
        write(dir.resolve("test.bin"), records(100, train, labels.length, true, e -> labels[e - train]));
    }

    /** The red, green and blue levels of class {@code k}: a walk through a 5x5x5 grid of well-separated levels. */
    private static int[] colour(int k) {
        int cell = (k * 37) % 125;
        List<Integer> levels = List.of(32, 80, 128, 176, 224);
        return new int[]{levels.get(cell % 5), levels.get(cell / 5 % 5), levels.get(cell / 25)};
    }

    private static byte[] records(int classes, int first, int count, boolean coarse, IntUnaryOperator labelOf) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int e = first; e < first + count; e++) {
            int label = labelOf.applyAsInt(e);
            if (coarse) {
                out.write(label / 5);
            }
            out.write(label);
            Random noise = new Random(e);
            int[] rgb = colour(e % classes);
            for (int c = 0; c < 3; c++) {
                for (int p = 0; p < SIDE * SIDE; p++) {
                    out.write(Math.max(0, Math.min(255, rgb[c] + noise.nextInt(2 * NOISE + 1) - NOISE)));
                }
            }
        }
        return out.toByteArray();
    }

    private static void createDirectories(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
    }

    private static void write(Path file, byte[] bytes) {
        try {
            Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
