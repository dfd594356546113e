package org.dtkd4j.examples.demo;

import org.dtkd4j.core.data.Datasets;
import org.dtkd4j.core.data.ImageDataset;
import org.dtkd4j.core.data.TrainTestSplit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The bundled Fashion-MNIST subset: its documented checksums, its balance, and that it is exactly what the
 * generator and {@link DemoData#load} take from the full files. The full files are Debian's
 * {@code dataset-fashion-mnist} when installed; without it (said once, in one line) a stand-in written from the
 * bundle plays their part: each split is the bundle followed by the bundle's images inverted, so the first
 * {@value DemoData#TRAIN_PER_CLASS} / {@value DemoData#TEST_PER_CLASS} images of each class are the bundle's.
 */
class DemoDataTest {

    private static final String BUNDLE = "/org/dtkd4j/examples/demo/fashion-mnist-subset/";

    @TempDir
    static Path standInDir;
    private static Path fullFiles;

    /** @return the directory of the full Fashion-MNIST files: the package's, or the stand-in */
    private static synchronized Path fullFiles() {
        if (fullFiles == null) {
            if (DemoData.FILES.stream().allMatch(f -> Files.isRegularFile(Datasets.FASHION_MNIST_DIR.resolve(f)))) {
                fullFiles = Datasets.FASHION_MNIST_DIR;
            } else {
                System.out.println("[not checked] DemoDataTest: that the bundled subset is what the demo and its "
                        + "generator take from the real Fashion-MNIST files (" + Datasets.FASHION_MNIST_DIR
                        + " not found; apt-get install -y dataset-fashion-mnist); checked on a stand-in built from "
                        + "the bundle");
                TrainTestSplit bundle = DemoData.bundled();
                fullFiles = standInDir.resolve("fashion-mnist");
                DemoSubsetGenerator.writeFiles(new TrainTestSplit(withInverted(bundle.train()),
                        withInverted(bundle.test())), fullFiles);
            }
        }
        return fullFiles;
    }

    /** @return the images of {@code d} followed by the same images with inverted pixels, same labels */
    private static ImageDataset withInverted(ImageDataset d) {
        int pixels = d.height() * d.width();
        byte[] all = new byte[2 * d.size() * pixels];
        int[] labels = new int[2 * d.size()];
        for (int i = 0; i < d.size(); i++) {
            labels[i] = d.label(i);
            labels[d.size() + i] = d.label(i);
            for (int r = 0; r < d.height(); r++) {
                for (int c = 0; c < d.width(); c++) {
                    int p = d.pixel(i, 0, r, c);
                    all[i * pixels + r * d.width() + c] = (byte) p;
                    all[(d.size() + i) * pixels + r * d.width() + c] = (byte) (255 - p);
                }
            }
        }
        return ImageDataset.of(d.name(), d.numClasses(), d.classNames(), 1, d.height(), d.width(), all, labels,
                d.normalization());
    }

    /** The SHA-256 sums the bundle's README documents, by file name. */
    private static Map<String, String> documentedSums() throws IOException {
        Map<String, String> sums = new HashMap<>();
        try (InputStream in = DemoDataTest.class.getResourceAsStream(BUNDLE + "README.md")) {
            assertThat(in).as("bundle README").isNotNull();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.matches("[0-9a-f]{64}  \\S+")) {
                    sums.put(line.substring(66), line.substring(0, 64));
                }
            }
        }
        assertThat(sums.keySet()).containsExactlyInAnyOrderElementsOf(DemoData.FILES);
        return sums;
    }

    private static String sha256OfDecompressed(InputStream gz) throws IOException {
        try (InputStream in = new GZIPInputStream(gz)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(in.readAllBytes());
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void bundleIsSmallAndMatchesTheDocumentedSums() throws IOException {
        Map<String, String> sums = documentedSums();
        long bytes = 0;
        for (String name : DemoData.FILES) {
            try (InputStream in = DemoDataTest.class.getResourceAsStream(BUNDLE + name)) {
                assertThat(in).as(name).isNotNull();
                bytes += in.readAllBytes().length;
            }
            try (InputStream in = DemoDataTest.class.getResourceAsStream(BUNDLE + name)) {
                assertThat(sha256OfDecompressed(in)).as(name).isEqualTo(sums.get(name));
            }
        }
        assertThat(bytes).isBetween(100_000L, 3L << 20);
    }

    @Test
    void bundleIsClassBalanced() {
        TrainTestSplit bundled = DemoData.bundled();
        assertThat(bundled.train().classCounts()).containsOnly(DemoData.TRAIN_PER_CLASS).hasSize(10);
        assertThat(bundled.test().classCounts()).containsOnly(DemoData.TEST_PER_CLASS).hasSize(10);
        assertThat(bundled.train().height()).isEqualTo(28);
        assertThat(bundled.train().channels()).isEqualTo(1);
    }

    /** The generator, run again on the package's files, writes exactly the bundled content. */
    @Test
    void generatorReproducesTheBundle(@TempDir Path tmp) throws IOException {
        TrainTestSplit written = DemoSubsetGenerator.write(Datasets.fashionMnist(fullFiles()), tmp);
        assertThat(written.train().size()).isEqualTo(10 * DemoData.TRAIN_PER_CLASS);
        Map<String, String> sums = documentedSums();
        for (String name : DemoData.FILES) {
            try (InputStream in = Files.newInputStream(tmp.resolve(name))) {
                assertThat(sha256OfDecompressed(in)).as(name).isEqualTo(sums.get(name));
            }
        }
    }

    @Test
    void packageAndBundleGiveTheSameImages(@TempDir Path tmp) {
        DemoData fromPackage = DemoData.load(fullFiles(), DemoData.TRAIN_PER_CLASS, DemoData.TEST_PER_CLASS);
        DemoData fromBundle = DemoData.load(tmp.resolve("absent"), DemoData.TRAIN_PER_CLASS, DemoData.TEST_PER_CLASS);
        assertThat(fromPackage.fromPackage()).isTrue();
        assertThat(fromBundle.fromPackage()).isFalse();
        assertSame(fromPackage.split().train(), fromBundle.split().train());
        assertSame(fromPackage.split().test(), fromBundle.split().test());
    }

    private static void assertSame(ImageDataset a, ImageDataset b) {
        assertThat(a.name()).isEqualTo(b.name());
        assertThat(a.size()).isEqualTo(b.size());
        for (int i = 0; i < a.size(); i++) {
            assertThat(a.label(i)).isEqualTo(b.label(i));
            for (int r = 0; r < 28; r++) {
                for (int c = 0; c < 28; c++) {
                    if (a.pixel(i, 0, r, c) != b.pixel(i, 0, r, c)) {
                        throw new AssertionError(a.name() + ": image " + i + " differs at (" + r + ", " + c + ")");
                    }
                }
            }
        }
    }

    @Test
    void theSourceIsThePackageOnlyWhenAllFourFilesAreThere(@TempDir Path tmp) throws IOException {
        DemoData installed = DemoData.load(fullFiles(), 3, 2);
        assertThat(installed.fromPackage()).isTrue();
        assertThat(installed.source()).contains("Debian's dataset-fashion-mnist").contains(fullFiles().toString());
        assertThat(installed.split().train().classCounts()).containsOnly(3);
        assertThat(installed.split().test().classCounts()).containsOnly(2);

        DemoData absent = DemoData.load(tmp.resolve("nothing-here"), 3, 2);
        assertThat(absent.fromPackage()).isFalse();
        assertThat(absent.source()).contains("bundled").contains("nothing-here not found");

        Path partial = Files.createDirectories(tmp.resolve("partial"));
        Files.copy(fullFiles().resolve(DemoData.FILES.get(2)), partial.resolve(DemoData.FILES.get(2)));
        assertThat(DemoData.load(partial, 3, 2).fromPackage()).isFalse();

        Path corrupt = Files.createDirectories(tmp.resolve("corrupt"));
        for (String name : DemoData.FILES) {
            Files.writeString(corrupt.resolve(name), "not gzip");
        }
        assertThatThrownBy(() -> DemoData.load(corrupt, 3, 2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(corrupt.resolve(DemoData.FILES.get(0)).toString());
    }

    @Test
    void countsOutOfRangeAreRefused(@TempDir Path tmp) {
        assertThatThrownBy(() -> DemoData.load(tmp, 0, 2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("training images per class must be in 1..200, found 0");
        assertThatThrownBy(() -> DemoData.load(tmp, 3, 101)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("test images per class must be in 1..100, found 101");
    }
}
