package org.dtkd4j.examples.cli;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

/**
 * Tiny datasets for command-line tests, in the real file formats {@code Datasets} reads: a learnable Fashion-MNIST
 * stand-in (the four gzipped IDX files; 28x28 grey images, 10 classes; class {@code k} is a bright 6x6 square at a
 * position of its own over uniform noise), and CIFAR-10/100 binary files of random 3x32x32 images.
 */
final class TinyData {

    private TinyData() {
    }

    /**
     * Writes a one-epoch DTKD experiment on Fashion-MNIST with resnet8 as teacher and student (project {@code tiny},
     * tag {@code dtkd,res8,res8}); the dataset directory, teacher and run directory are left to the command line.
     *
     * @param file the YAML file to write
     * @return {@code file}
     */
    static Path experiment(Path file) {
        try {
            Files.writeString(file, """
                    EXPERIMENT:
                      PROJECT: "tiny"
                      TAG: "dtkd,res8,res8"
                    DISTILLER:
                      TYPE: "DTKD"
                      TEACHER: "resnet8"
                      STUDENT: "resnet8"
                    SOLVER:
                      EPOCHS: 1
                      BATCH_SIZE: 64
                    DTKD4J:
                      DATASET_TYPE: "fashion-mnist"
                    """);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /**
     * Writes the four files into {@code dir} (created if needed).
     *
     * @param dir   the dataset directory
     * @param train training images
     * @param test  test images
     * @return {@code dir}
     */
    static Path fashionMnist(Path dir, int train, int test) {
        Random random = new Random(7);
        try {
            Files.createDirectories(dir);
            split(dir, "train", train, random);
            split(dir, "t10k", test, random);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    /**
     * Writes CIFAR binary files of random images into {@code dir} (created if needed): CIFAR-100's {@code train.bin}
     * and {@code test.bin}, or CIFAR-10's five training batches (each of {@code train} images) and test batch.
     *
     * @param dir     the dataset directory
     * @param classes 10 or 100
     * @param train   training images (per batch file for CIFAR-10)
     * @param test    test images
     * @return {@code dir}
     */
    static Path cifar(Path dir, int classes, int train, int test) {
        Random random = new Random(11);
        List<String> files = classes == 100 ? List.of("train.bin", "test.bin") : List.of("data_batch_1.bin",
                "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin");
        try {
            Files.createDirectories(dir);
            for (int f = 0; f < files.size(); f++) {
                int n = f == files.size() - 1 ? test : train;
                byte[] records = new byte[n * ((classes == 100 ? 2 : 1) + 3072)];
                random.nextBytes(records);
                int p = 0;
                for (int i = 0; i < n; i++) {
                    int label = random.nextInt(classes);
                    if (classes == 100) {
                        records[p++] = (byte) (label / 5);
                    }
                    records[p++] = (byte) label;
                    p += 3072;
                }
                Files.write(dir.resolve(files.get(f)), records);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
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
