package org.dtkd4j.examples.demo;

import org.dtkd4j.core.data.Datasets;
import org.dtkd4j.core.data.ImageDataset;
import org.dtkd4j.core.data.TrainTestSplit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The demo's data: a fixed, class-balanced subset of Fashion-MNIST, the first {@value #TRAIN_PER_CLASS} training
 * and the first {@value #TEST_PER_CLASS} test images of each class in file order
 * ({@link ImageDataset#firstPerClass(int)}), 2,000 and 1,000 images.
 *
 * <p>Where it comes from: the full Fashion-MNIST files of Debian's {@code dataset-fashion-mnist} package
 * ({@link Datasets#FASHION_MNIST_DIR}) when they are installed, else the same subset bundled as gzipped IDX files in
 * the resources next to this class ({@value #BUNDLE}, written by {@link DemoSubsetGenerator} from the package's
 * files). Both sources give identical images and labels, so the demo computes the same with or without the package.
 *
 * @param split       the training and test subsets
 * @param fromPackage whether the images come from the package's files (else from the bundled subset)
 * @param source      a one-line description of the source for the demo's output
 */
public record DemoData(TrainTestSplit split, boolean fromPackage, String source) {

    /** Training images per class in the full-size demo and in the bundled subset. */
    public static final int TRAIN_PER_CLASS = 200;
    /** Test images per class in the full-size demo and in the bundled subset. */
    public static final int TEST_PER_CLASS = 100;
    /** Resource folder of the bundled subset, relative to this class. */
    public static final String BUNDLE = "fashion-mnist-subset";
    /** The four files of a Fashion-MNIST directory, as {@link Datasets#fashionMnist(Path)} reads them. */
    public static final List<String> FILES = List.of("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
            "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz");

    /**
     * Loads the demo subset.
     *
     * @param packageDir    where to look for the full Fashion-MNIST files (normally {@link Datasets#FASHION_MNIST_DIR});
     *                      used if it holds all four {@link #FILES}, else the bundled subset is used
     * @param trainPerClass training images per class, {@code 1..}{@value #TRAIN_PER_CLASS}
     * @param testPerClass  test images per class, {@code 1..}{@value #TEST_PER_CLASS}
     * @return the first {@code trainPerClass} / {@code testPerClass} images of each class and where they came from
     * @throws IllegalArgumentException if a count is out of range, or the package's files are bad
     */
    public static DemoData load(Path packageDir, int trainPerClass, int testPerClass) {
        if (trainPerClass < 1 || trainPerClass > TRAIN_PER_CLASS) {
            throw new IllegalArgumentException("training images per class must be in 1.." + TRAIN_PER_CLASS
                    + ", found " + trainPerClass);
        }
        if (testPerClass < 1 || testPerClass > TEST_PER_CLASS) {
            throw new IllegalArgumentException("test images per class must be in 1.." + TEST_PER_CLASS + ", found "
                    + testPerClass);
        }
        boolean fromPackage = FILES.stream().allMatch(f -> Files.isRegularFile(packageDir.resolve(f)));
        TrainTestSplit full = fromPackage ? Datasets.fashionMnist(packageDir) : bundled();
        TrainTestSplit subset = new TrainTestSplit(full.train().firstPerClass(trainPerClass),
                full.test().firstPerClass(testPerClass));
        String source = fromPackage
                ? "Fashion-MNIST from Debian's dataset-fashion-mnist (" + packageDir + ")"
                : "the Fashion-MNIST subset bundled with dtkd4j (" + packageDir + " not found; apt-get install "
                + "dataset-fashion-mnist to read the full files instead: same images)";
        return new DemoData(subset, fromPackage, source);
    }

    /**
     * Reads the bundled subset: {@value #TRAIN_PER_CLASS} training and {@value #TEST_PER_CLASS} test images per class.
     *
     * @return the subset as {@link Datasets#fashionMnist(Path)} reads it (splits named {@code fashion-mnist-train}
     *         and {@code fashion-mnist-test})
     * @throws UncheckedIOException if the resources cannot be copied to a temporary directory
     */
    public static TrainTestSplit bundled() {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("dtkd-demo-data");
            for (String name : FILES) {
                try (InputStream in = DemoData.class.getResourceAsStream(BUNDLE + "/" + name)) {
                    if (in == null) {
                        throw new IllegalStateException("resource " + BUNDLE + "/" + name + " is missing from the "
                                + "dtkd-examples jar");
                    }
                    Files.copy(in, dir.resolve(name));
                }
            }
            return Datasets.fashionMnist(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack the bundled Fashion-MNIST subset: " + e.getMessage(), e);
        } finally {
            deleteQuietly(dir);
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try {
            for (String name : FILES) {
                Files.deleteIfExists(dir.resolve(name));
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            dir.toFile().deleteOnExit();
        }
    }
}
