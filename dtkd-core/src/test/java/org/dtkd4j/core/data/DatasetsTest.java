package org.dtkd4j.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.dtkd4j.core.data.DataFixtures.cifar100Label;
import static org.dtkd4j.core.data.DataFixtures.cifar10Label;
import static org.dtkd4j.core.data.DataFixtures.cifarRecord;
import static org.dtkd4j.core.data.DataFixtures.fashionLabel;
import static org.dtkd4j.core.data.DataFixtures.gzip;
import static org.dtkd4j.core.data.DataFixtures.idxImages;
import static org.dtkd4j.core.data.DataFixtures.idxLabels;
import static org.dtkd4j.core.data.DataFixtures.pixel;
import static org.dtkd4j.core.data.DataFixtures.write;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import org.assertj.core.api.AbstractThrowableAssert;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/** Decoding of CIFAR-10, CIFAR-100 and Fashion-MNIST files written in their exact formats, and bad-data errors. */
class DatasetsTest {

    @TempDir
    Path dir;

    @Test
    void cifar10DecodesLabelAndRedGreenBluePlanesInOrder() {
        DataFixtures.writeCifar10(dir, 3);

        TrainTestSplit cifar = Datasets.cifar10(dir);

        ImageDataset train = cifar.train();
        assertThat(train.size()).isEqualTo(15);
        assertThat(cifar.test().size()).isEqualTo(3);
        assertThat(train.name()).isEqualTo("cifar10-train");
        assertThat(cifar.test().name()).isEqualTo("cifar10-test");
        assertThat(train.numClasses()).isEqualTo(10);
        assertThat(train.classNames()).hasSize(10).startsWith("airplane", "automobile").endsWith("truck");
        assertThat(new int[]{train.channels(), train.height(), train.width()}).containsExactly(3, 32, 32);
        assertThat(train.normalization()).isEqualTo(Normalization.CIFAR10);
        assertDecoded(train, 0);
        assertDecoded(cifar.test(), 15);
        // Byte 1 + 1024 of a record is the first green value: row 0, column 0 of channel 1.
        assertThat(train.pixel(0, 1, 0, 0)).isEqualTo(cifarRecord(0, 0)[1 + 1024] & 0xFF).isEqualTo(101);
        for (int e = 0; e < 15; e++) {
            assertThat(train.label(e)).isEqualTo(cifar10Label(e));
        }
    }

    @Test
    void cifar100UsesFineLabelsAndDropsCoarseOnes() {
        DataFixtures.writeCifar100(dir, 7, 4);

        TrainTestSplit cifar = Datasets.cifar100(dir);

        assertThat(cifar.train().size()).isEqualTo(7);
        assertThat(cifar.test().size()).isEqualTo(4);
        assertThat(cifar.train().name()).isEqualTo("cifar100-train");
        assertThat(cifar.train().numClasses()).isEqualTo(100);
        assertThat(cifar.train().classNames()).hasSize(100).startsWith("apple", "aquarium_fish").endsWith("worm")
                .doesNotHaveDuplicates();
        assertThat(cifar.train().normalization()).isEqualTo(Normalization.CIFAR100);
        assertDecoded(cifar.train(), 0);
        assertDecoded(cifar.test(), 7);
        for (int e = 0; e < 7; e++) {
            assertThat(cifar.train().label(e)).isEqualTo(cifar100Label(e));
        }
        assertThat(cifar.test().label(0)).isEqualTo(cifar100Label(7));
    }

    @Test
    void fashionMnistDecodesGzippedIdxFiles() {
        DataFixtures.writeFashionMnist(dir, 6, 3);

        TrainTestSplit fashion = Datasets.fashionMnist(dir);

        ImageDataset train = fashion.train();
        assertThat(train.size()).isEqualTo(6);
        assertThat(fashion.test().size()).isEqualTo(3);
        assertThat(train.name()).isEqualTo("fashion-mnist-train");
        assertThat(new int[]{train.channels(), train.height(), train.width()}).containsExactly(1, 28, 28);
        assertThat(train.classNames()).containsExactly("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");
        assertThat(train.normalization()).isEqualTo(Normalization.FASHION_MNIST);
        for (ImageDataset split : new ImageDataset[]{train, fashion.test()}) {
            for (int e = 0; e < split.size(); e++) {
                assertThat(split.label(e)).isEqualTo(fashionLabel(e));
                for (int y = 0; y < 28; y++) {
                    for (int x = 0; x < 28; x++) {
                        assertThat(split.pixel(e, 0, y, x)).isEqualTo(pixel(e, 0, y, x));
                    }
                }
            }
        }
    }

    /**
     * Fashion-MNIST as 3x32x32: a known 28x28 image (pixel {@code (y, x)} of example {@code e} is
     * {@link DataFixtures#pixel}) becomes the tensor the evaluation iterator serves, each channel the padded image:
     * {@code (p(y - 2, x - 2) / 255 - 0.2860) / 0.3530} inside, {@code (0 - 0.2860) / 0.3530} in the 2-pixel border,
     * rounded once to float.
     */
    @Test
    void fashionMnist32PadsReplicatesAndNormalisesEachImage() {
        DataFixtures.writeFashionMnist(dir, 4, 3);

        TrainTestSplit fashion = Datasets.fashionMnist32(dir);

        assertThat(fashion.train().name()).isEqualTo("fashion-mnist-32-train");
        assertThat(fashion.test().name()).isEqualTo("fashion-mnist-32-test");
        assertThat(fashion.train().normalization()).isEqualTo(Normalization.FASHION_MNIST_RGB);
        assertThat(fashion.train().classNames()).hasSize(10).startsWith("T-shirt/top");
        for (ImageDataset split : new ImageDataset[]{fashion.train(), fashion.test()}) {
            assertThat(new int[]{split.channels(), split.height(), split.width()}).containsExactly(3, 32, 32);
            try (ImageDataSetIterator it = ImageDataSetIterator.evaluation(split, split.size())) {
                DataSet batch = it.next();
                INDArray features = batch.getFeatures();
                assertThat(features.shape()).containsExactly(split.size(), 3, 32, 32);
                for (int e = 0; e < split.size(); e++) {
                    assertThat(split.label(e)).isEqualTo(fashionLabel(e));
                    assertThat(batch.getLabels().getDouble(e, fashionLabel(e))).isEqualTo(1.0);
                    for (int c = 0; c < 3; c++) {
                        for (int y = 0; y < 32; y++) {
                            for (int x = 0; x < 32; x++) {
                                boolean inside = y >= 2 && y < 30 && x >= 2 && x < 30;
                                int p = inside ? pixel(e, 0, y - 2, x - 2) : 0;
                                float expected = (float) ((p / 255.0 - 0.2860) / 0.3530);
                                assertThat(features.getFloat(e, c, y, x)).as("example %d (%d, %d, %d)", e, c, y, x)
                                        .isEqualTo(expected);
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * The one test on the real Fashion-MNIST files of Debian's {@code dataset-fashion-mnist} package: sizes,
     * classes, and the documented normalisation constants recomputed from the training pixels. Without the package
     * it says so in one line and is skipped (the format itself is checked by
     * {@link #fashionMnistDecodesGzippedIdxFiles()}).
     */
    @Test
    void installedFashionMnistHasDocumentedSizesAndConstants() {
        if (!Files.isDirectory(Datasets.FASHION_MNIST_DIR)) {
            String reason = "DatasetsTest: the real Fashion-MNIST files' sizes, class counts and normalisation "
                    + "constants (" + Datasets.FASHION_MNIST_DIR + " not found; "
                    + "apt-get install -y dataset-fashion-mnist)";
            System.out.println("[not checked] " + reason);
            Assumptions.abort(reason);
        }

        TrainTestSplit fashion = Datasets.fashionMnist();

        assertThat(fashion.train().size()).isEqualTo(60_000);
        assertThat(fashion.test().size()).isEqualTo(10_000);
        assertThat(fashion.train().numClasses()).isEqualTo(10);
        assertThat(fashion.train().classCounts()).containsOnly(6_000);
        Normalization computed = Normalization.compute(fashion.train());
        assertThat(computed.mean(0)).isEqualTo(0.2860405969887955, within(1e-12));
        assertThat(computed.std(0)).isEqualTo(0.3530242445149226, within(1e-12));
        assertThat(computed.mean(0)).isEqualTo(Normalization.FASHION_MNIST.mean(0), within(5e-5));
        assertThat(computed.std(0)).isEqualTo(Normalization.FASHION_MNIST.std(0), within(5e-5));
    }

    // ---- missing directory or files

    @Test
    void missingDirectoryNamesItAndTheExpectedFiles() {
        Path missing = dir.resolve("nope");
        assertOneLineError(() -> Datasets.cifar10(missing))
                .hasMessageContaining("CIFAR-10 directory " + missing + " does not exist")
                .hasMessageContaining("data_batch_1.bin, data_batch_2.bin, data_batch_3.bin, data_batch_4.bin, "
                        + "data_batch_5.bin, test_batch.bin");
        assertOneLineError(() -> Datasets.cifar100(missing))
                .hasMessageContaining("CIFAR-100 directory " + missing).hasMessageContaining("train.bin, test.bin");
        assertOneLineError(() -> Datasets.fashionMnist(missing))
                .hasMessageContaining("Fashion-MNIST directory " + missing)
                .hasMessageContaining("train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, "
                        + "t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz");
    }

    @Test
    void missingFileIsNamedWithTheExpectedOnes() throws IOException {
        DataFixtures.writeCifar10(dir, 1);
        Files.delete(dir.resolve("data_batch_3.bin"));
        assertOneLineError(() -> Datasets.cifar10(dir))
                .hasMessage("CIFAR-10 directory " + dir + " lacks data_batch_3.bin (expected data_batch_1.bin, "
                        + "data_batch_2.bin, data_batch_3.bin, data_batch_4.bin, data_batch_5.bin, test_batch.bin)");

        DataFixtures.writeFashionMnist(dir, 1, 1);
        Files.delete(dir.resolve("t10k-labels-idx1-ubyte.gz"));
        assertOneLineError(() -> Datasets.fashionMnist(dir)).hasMessageContaining("lacks t10k-labels-idx1-ubyte.gz");
    }

    // ---- CIFAR records

    @Test
    void truncatedCifarRecordNamesFileRecordAndFoundBytes() throws IOException {
        DataFixtures.writeCifar10(dir, 3);
        Path file = dir.resolve("data_batch_2.bin");
        Files.write(file, new byte[5], StandardOpenOption.APPEND);
        assertOneLineError(() -> Datasets.cifar10(dir)).hasMessage("CIFAR-10 file " + file
                + ": record 3 is truncated, found 5 of 3073 bytes (file size 9224)");

        DataFixtures.writeCifar100(dir, 2, 1);
        Path test = dir.resolve("test.bin");
        write(test, Arrays.copyOf(Files.readAllBytes(test), 3000));
        assertOneLineError(() -> Datasets.cifar100(dir)).hasMessage("CIFAR-100 file " + test
                + ": record 0 is truncated, found 3000 of 3074 bytes (file size 3000)");
    }

    @Test
    void emptyCifarFileIsAnError() {
        DataFixtures.writeCifar10(dir, 1);
        Path file = dir.resolve("test_batch.bin");
        write(file, new byte[0]);
        assertOneLineError(() -> Datasets.cifar10(dir))
                .hasMessage("CIFAR-10 file " + file + " is empty, expected records of 3073 bytes");
    }

    @Test
    void cifarLabelOutOfRangeNamesFileRecordValueAndRange() {
        DataFixtures.writeCifar10(dir, 2);
        Path file = dir.resolve("test_batch.bin");
        write(file, concat(cifarRecord(0, 9), cifarRecord(1, 10)));
        assertOneLineError(() -> Datasets.cifar10(dir))
                .hasMessage("CIFAR-10 file " + file + ": record 1 has label byte 10, expected 0..9");

        Path train = dir.resolve("train.bin");
        write(dir.resolve("test.bin"), cifarRecord(0, 0, 0));
        write(train, concat(cifarRecord(0, 19, 99), cifarRecord(1, 3, 100)));
        assertOneLineError(() -> Datasets.cifar100(dir))
                .hasMessage("CIFAR-100 file " + train + ": record 1 has fine label byte 100, expected 0..99");
        write(train, concat(cifarRecord(0, 0, 0), cifarRecord(1, 0, 0), cifarRecord(2, 20, 5)));
        assertOneLineError(() -> Datasets.cifar100(dir))
                .hasMessage("CIFAR-100 file " + train + ": record 2 has coarse label byte 20, expected 0..19");
    }

    // ---- IDX files

    @Test
    void badIdxMagicNumberIsNamed() {
        DataFixtures.writeFashionMnist(dir, 2, 2);
        Path images = dir.resolve("train-images-idx3-ubyte.gz");
        gzip(images, idxLabels(1, 2));
        assertOneLineError(() -> Datasets.fashionMnist(dir)).hasMessage("IDX file " + images
                + ": magic number 0x00000801, expected 0x00000803 (unsigned bytes, 3 dimensions)");

        DataFixtures.writeFashionMnist(dir, 2, 2);
        Path labels = dir.resolve("t10k-labels-idx1-ubyte.gz");
        gzip(labels, idxImages(2, 28, 28));
        assertOneLineError(() -> Datasets.fashionMnist(dir)).hasMessage("IDX file " + labels
                + ": magic number 0x00000803, expected 0x00000801 (unsigned bytes, 1 dimension)");
    }

    @Test
    void idxImagesOfTheWrongSizeAreNamed() {
        DataFixtures.writeFashionMnist(dir, 2, 2);
        Path images = dir.resolve("t10k-images-idx3-ubyte.gz");
        gzip(images, idxImages(2, 32, 32));
        assertOneLineError(() -> Datasets.fashionMnist(dir))
                .hasMessage("IDX file " + images + ": records of 32x32 found, expected 28x28");
    }

    @Test
    void truncatedIdxRecordAndHeaderAreNamed() {
        DataFixtures.writeFashionMnist(dir, 3, 1);
        Path images = dir.resolve("train-images-idx3-ubyte.gz");
        gzip(images, Arrays.copyOf(idxImages(3, 28, 28), 16 + 2 * 784 + 100));
        assertOneLineError(() -> Datasets.fashionMnist(dir)).hasMessage("IDX file " + images
                + ": record 2 is truncated, found 100 of 784 bytes (the header declares 3 records)");

        gzip(images, Arrays.copyOf(idxImages(3, 28, 28), 10));
        assertOneLineError(() -> Datasets.fashionMnist(dir))
                .hasMessage("IDX file " + images + ": header truncated, found 10 of 16 bytes");
    }

    @Test
    void bytesAfterTheDeclaredIdxRecordsAreAnError() {
        DataFixtures.writeFashionMnist(dir, 3, 1);
        Path labels = dir.resolve("train-labels-idx1-ubyte.gz");
        gzip(labels, concat(idxLabels(1, 2, 3), new byte[]{4, 5}));
        assertOneLineError(() -> Datasets.fashionMnist(dir))
                .hasMessage("IDX file " + labels + ": 2 bytes after the 3 records the header declares");
    }

    @Test
    void idxImagesAndLabelsCountsMustAgree() {
        DataFixtures.writeFashionMnist(dir, 3, 1);
        Path labels = dir.resolve("train-labels-idx1-ubyte.gz");
        gzip(labels, idxLabels(1, 2));
        assertOneLineError(() -> Datasets.fashionMnist(dir)).hasMessage("Fashion-MNIST fashion-mnist-train: "
                + dir.resolve("train-images-idx3-ubyte.gz") + " holds 3 images but " + labels + " holds 2 labels");
    }

    @Test
    void idxLabelOutOfRangeNamesFileRecordAndValue() {
        DataFixtures.writeFashionMnist(dir, 3, 3);
        Path labels = dir.resolve("t10k-labels-idx1-ubyte.gz");
        gzip(labels, idxLabels(0, 9, 10));
        assertOneLineError(() -> Datasets.fashionMnist(dir))
                .hasMessage("IDX file " + labels + ": record 2 has label 10, expected 0..9");
    }

    @Test
    void uncompressedOrCorruptIdxFileIsAnError() throws IOException {
        DataFixtures.writeFashionMnist(dir, 2, 2);
        Path images = dir.resolve("train-images-idx3-ubyte.gz");
        write(images, idxImages(2, 28, 28));
        assertOneLineError(() -> Datasets.fashionMnist(dir))
                .hasMessage("IDX file " + images + ": not gzip data, or corrupt or truncated (Not in GZIP format)");

        DataFixtures.writeFashionMnist(dir, 2, 2);
        byte[] compressed = Files.readAllBytes(images);
        write(images, Arrays.copyOf(compressed, compressed.length / 2));
        assertOneLineError(() -> Datasets.fashionMnist(dir))
                .hasMessageStartingWith("IDX file " + images + ": not gzip data, or corrupt or truncated (");
    }

    @Test
    void idxHeaderDeclaringNoRecordsIsAnError() {
        DataFixtures.writeFashionMnist(dir, 2, 2);
        Path labels = dir.resolve("train-labels-idx1-ubyte.gz");
        gzip(labels, ByteBuffer.allocate(8).putInt(0x801).putInt(0).array());
        assertOneLineError(() -> Datasets.fashionMnist(dir))
                .hasMessage("IDX file " + labels + ": header declares 0 records, expected at least 1");
    }

    private static void assertDecoded(ImageDataset split, int firstExample) {
        for (int e = 0; e < split.size(); e++) {
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < 32; y++) {
                    for (int x = 0; x < 32; x++) {
                        if (split.pixel(e, c, y, x) != pixel(firstExample + e, c, y, x)) {
                            throw new AssertionError(split.name() + " example " + e + " pixel (" + c + "," + y + ","
                                    + x + ") is " + split.pixel(e, c, y, x) + ", wrote "
                                    + pixel(firstExample + e, c, y, x));
                        }
                    }
                }
            }
        }
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> assertOneLineError(
            ThrowingCallable call) {
        return assertThatThrownBy(call).isInstanceOf(IllegalArgumentException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
