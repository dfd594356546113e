package org.dtkd4j.core.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Loads the standard datasets from local files into memory; nothing is downloaded.
 *
 * <ul>
 *   <li>{@link #cifar10(Path)}: the CIFAR-10 binary version, {@code data_batch_1.bin .. data_batch_5.bin} and
 *   {@code test_batch.bin} (the directory {@code cifar-10-batches-bin} of {@code cifar-10-binary.tar.gz}).</li>
 *   <li>{@link #cifar100(Path)}: the CIFAR-100 binary version, {@code train.bin} and {@code test.bin} (the
 *   directory {@code cifar-100-binary} of {@code cifar-100-binary.tar.gz}), with the 100 fine labels.</li>
 *   <li>{@link #fashionMnist(Path)}: the four gzipped IDX files of Fashion-MNIST, 28x28 grey images;
 *   {@link #fashionMnist()} reads them from {@link #FASHION_MNIST_DIR}, where Debian's
 *   {@code dataset-fashion-mnist} package installs them.</li>
 *   <li>{@link #fashionMnist32(Path)}: the same files read as the CIFAR models' input, 3x32x32 (each image
 *   zero-padded by 2 pixels and replicated to 3 channels), so the CIFAR zoo models and the reference augmentation
 *   run on them unchanged.</li>
 * </ul>
 * Every dataset comes with its class names and its {@link Normalization} constants. Files are validated record by
 * record: a missing directory or file, a truncated record, a label out of range or a bad IDX header gives an
 * {@link IllegalArgumentException} naming the file, the record and what was found; an I/O failure gives an
 * {@link java.io.UncheckedIOException}.
 */
public final class Datasets {

    /** Where Debian's {@code dataset-fashion-mnist} package installs Fashion-MNIST. */
    public static final Path FASHION_MNIST_DIR = Path.of("/usr/share/datasets/fashion-mnist");

    /** The five training batches, then the test batch. */
    private static final List<String> CIFAR10_FILES = List.of("data_batch_1.bin", "data_batch_2.bin",
            "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin");
    private static final List<String> CIFAR10_CLASSES = List.of(
            "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck");

    private static final List<String> CIFAR100_FILES = List.of("train.bin", "test.bin");
    private static final List<String> CIFAR100_CLASSES = List.of(
            "apple", "aquarium_fish", "baby", "bear", "beaver", "bed", "bee", "beetle", "bicycle", "bottle",
            "bowl", "boy", "bridge", "bus", "butterfly", "camel", "can", "castle", "caterpillar", "cattle",
            "chair", "chimpanzee", "clock", "cloud", "cockroach", "couch", "crab", "crocodile", "cup", "dinosaur",
            "dolphin", "elephant", "flatfish", "forest", "fox", "girl", "hamster", "house", "kangaroo", "keyboard",
            "lamp", "lawn_mower", "leopard", "lion", "lizard", "lobster", "man", "maple_tree", "motorcycle",
            "mountain", "mouse", "mushroom", "oak_tree", "orange", "orchid", "otter", "palm_tree", "pear",
            "pickup_truck", "pine_tree", "plain", "plate", "poppy", "porcupine", "possum", "rabbit", "raccoon",
            "ray", "road", "rocket", "rose", "sea", "seal", "shark", "shrew", "skunk", "skyscraper", "snail",
            "snake", "spider", "squirrel", "streetcar", "sunflower", "sweet_pepper", "table", "tank", "telephone",
            "television", "tiger", "tractor", "train", "trout", "tulip", "turtle", "wardrobe", "whale",
            "willow_tree", "wolf", "woman", "worm");

    private static final List<String> FASHION_MNIST_FILES = List.of("train-images-idx3-ubyte.gz",
            "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz");
    private static final List<String> FASHION_MNIST_CLASSES = List.of(
            "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");
    private static final int FASHION_MNIST_SIDE = 28;
    /** Zero padding on each side that turns a 28x28 Fashion-MNIST image into a 32x32 one. */
    private static final int FASHION_MNIST_32_PADDING = 2;

    private Datasets() {
    }

    /**
     * Loads CIFAR-10 (binary version): 50,000 training and 10,000 test images of 3x32x32 in the full files, 10
     * classes, {@link Normalization#CIFAR10}. Files holding fewer records (e.g. test fixtures) are accepted.
     *
     * @param dir the directory holding {@code data_batch_1.bin .. data_batch_5.bin} and {@code test_batch.bin}
     * @return splits named {@code cifar10-train} and {@code cifar10-test}
     * @throws IllegalArgumentException     on a missing directory or file, or a bad record
     * @throws java.io.UncheckedIOException on an I/O error
     */
    public static TrainTestSplit cifar10(Path dir) {
        List<Path> files = requireFiles("CIFAR-10", dir, CIFAR10_FILES);
        return new TrainTestSplit(
                cifar("cifar10-train", CifarBinary.Layout.CIFAR10, files.subList(0, 5), CIFAR10_CLASSES,
                        Normalization.CIFAR10),
                cifar("cifar10-test", CifarBinary.Layout.CIFAR10, files.subList(5, 6), CIFAR10_CLASSES,
                        Normalization.CIFAR10));
    }

    /**
     * Loads CIFAR-100 (binary version): 50,000 training and 10,000 test images of 3x32x32 in the full files, the
     * 100 fine classes (coarse label bytes are validated, 0..19, and dropped), {@link Normalization#CIFAR100}.
     *
     * @param dir the directory holding {@code train.bin} and {@code test.bin}
     * @return splits named {@code cifar100-train} and {@code cifar100-test}
     * @throws IllegalArgumentException     on a missing directory or file, or a bad record
     * @throws java.io.UncheckedIOException on an I/O error
     */
    public static TrainTestSplit cifar100(Path dir) {
        List<Path> files = requireFiles("CIFAR-100", dir, CIFAR100_FILES);
        return new TrainTestSplit(
                cifar("cifar100-train", CifarBinary.Layout.CIFAR100, files.subList(0, 1), CIFAR100_CLASSES,
                        Normalization.CIFAR100),
                cifar("cifar100-test", CifarBinary.Layout.CIFAR100, files.subList(1, 2), CIFAR100_CLASSES,
                        Normalization.CIFAR100));
    }

    /**
     * Loads Fashion-MNIST: 60,000 training and 10,000 test grey images of 1x28x28 in the full files, 10 classes,
     * {@link Normalization#FASHION_MNIST}.
     *
     * @param dir the directory holding {@code train-images-idx3-ubyte.gz}, {@code train-labels-idx1-ubyte.gz},
     *            {@code t10k-images-idx3-ubyte.gz} and {@code t10k-labels-idx1-ubyte.gz}
     * @return splits named {@code fashion-mnist-train} and {@code fashion-mnist-test}
     * @throws IllegalArgumentException     on a missing directory or file, a bad IDX file, or images and
     *                                      labels files that disagree on the number of records
     * @throws java.io.UncheckedIOException on an I/O error
     */
    public static TrainTestSplit fashionMnist(Path dir) {
        List<Path> files = requireFiles("Fashion-MNIST", dir, FASHION_MNIST_FILES);
        return new TrainTestSplit(fashionMnistSplit("fashion-mnist-train", files.get(0), files.get(1)),
                fashionMnistSplit("fashion-mnist-test", files.get(2), files.get(3)));
    }

    /**
     * Loads Fashion-MNIST from {@link #FASHION_MNIST_DIR} (install it with
     * {@code apt-get install dataset-fashion-mnist}).
     *
     * @return the splits, as {@link #fashionMnist(Path)}
     * @throws IllegalArgumentException if the files are missing or bad
     */
    public static TrainTestSplit fashionMnist() {
        return fashionMnist(FASHION_MNIST_DIR);
    }

    /**
     * Loads Fashion-MNIST as the CIFAR models' input, as a reference-style run reads it: each 28x28 grey image
     * zero-padded by 2 pixels on each side to 32x32 and replicated to 3 identical channels, normalised with
     * {@link Normalization#FASHION_MNIST_RGB} (the Fashion-MNIST constants, mean 0.2860 and std 0.3530, on each
     * channel; a padding pixel becomes {@code (0 - 0.2860) / 0.3530}). The CIFAR zoo models (3x32x32 input) and
     * {@link Augmentation#REFERENCE} (random crop 32 with 4 pixels of padding, random flip) then run on it unchanged.
     * See {@link ImageDataset#padAndReplicate(String, int, int, Normalization)}.
     *
     * @param dir the directory of the four Fashion-MNIST files, as {@link #fashionMnist(Path)}
     * @return splits named {@code fashion-mnist-32-train} and {@code fashion-mnist-32-test}, 3x32x32
     * @throws IllegalArgumentException     as {@link #fashionMnist(Path)}
     * @throws java.io.UncheckedIOException on an I/O error
     */
    public static TrainTestSplit fashionMnist32(Path dir) {
        TrainTestSplit grey = fashionMnist(dir);
        return new TrainTestSplit(as32(grey.train(), "fashion-mnist-32-train"),
                as32(grey.test(), "fashion-mnist-32-test"));
    }

    /**
     * Loads Fashion-MNIST as 3x32x32 from {@link #FASHION_MNIST_DIR}, as {@link #fashionMnist32(Path)}.
     *
     * @return the splits
     * @throws IllegalArgumentException if the files are missing or bad
     */
    public static TrainTestSplit fashionMnist32() {
        return fashionMnist32(FASHION_MNIST_DIR);
    }

    private static ImageDataset as32(ImageDataset grey, String name) {
        return grey.padAndReplicate(name, FASHION_MNIST_32_PADDING, 3, Normalization.FASHION_MNIST_RGB);
    }

    private static ImageDataset cifar(String name, CifarBinary.Layout layout, List<Path> files,
                                      List<String> classNames, Normalization normalization) {
        CifarBinary.Examples examples = CifarBinary.read(layout, files);
        return new ImageDataset(name, layout.classes(), classNames, 3, 32, 32, examples.pixels(), examples.labels(),
                normalization);
    }

    private static ImageDataset fashionMnistSplit(String name, Path imagesFile, Path labelsFile) {
        byte[] pixels = IdxFiles.readImages(imagesFile, FASHION_MNIST_SIDE, FASHION_MNIST_SIDE);
        int[] labels = IdxFiles.readLabels(labelsFile, FASHION_MNIST_CLASSES.size());
        int images = pixels.length / (FASHION_MNIST_SIDE * FASHION_MNIST_SIDE);
        if (images != labels.length) {
            throw new IllegalArgumentException("Fashion-MNIST " + name + ": " + imagesFile + " holds " + images
                    + " images but " + labelsFile + " holds " + labels.length + " labels");
        }
        return new ImageDataset(name, FASHION_MNIST_CLASSES.size(), FASHION_MNIST_CLASSES, 1, FASHION_MNIST_SIDE,
                FASHION_MNIST_SIDE, pixels, labels, Normalization.FASHION_MNIST);
    }

    /** Resolves the expected files, failing with one message that names what is missing and what is expected. */
    private static List<Path> requireFiles(String title, Path dir, List<String> names) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(title + " directory " + dir + " does not exist or is not a directory"
                    + " (expected it to hold " + String.join(", ", names) + ")");
        }
        List<String> missing = names.stream().filter(name -> !Files.isRegularFile(dir.resolve(name))).toList();
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException(title + " directory " + dir + " lacks " + String.join(", ", missing)
                    + " (expected " + String.join(", ", names) + ")");
        }
        return names.stream().map(dir::resolve).toList();
    }
}
