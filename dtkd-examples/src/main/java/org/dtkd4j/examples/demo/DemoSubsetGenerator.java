package org.dtkd4j.examples.demo;

import org.dtkd4j.core.data.Datasets;
import org.dtkd4j.core.data.ImageDataset;
import org.dtkd4j.core.data.TrainTestSplit;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/**
 * Writes the Fashion-MNIST subset bundled with the demo ({@link DemoData}): the first
 * {@value DemoData#TRAIN_PER_CLASS} training and {@value DemoData#TEST_PER_CLASS} test images of each class of the
 * full files, in file order, as the four gzipped IDX files of a Fashion-MNIST directory. Deterministic: the same
 * input files give the same images, labels and order (the decompressed bytes are checked by
 * {@code DemoDataTest} against the SHA-256 sums in the bundle's {@code README.md}).
 *
 * <p>Regenerate (from the repository root, after {@code apt-get install dataset-fashion-mnist} and
 * {@code mvn -o -q -pl dtkd-examples -am package -DskipTests}):
 * <pre>
 * java -cp dtkd-examples/target/dtkd-examples.jar:$(cat dtkd-examples/target/classpath.txt) \
 *     org.dtkd4j.examples.demo.DemoSubsetGenerator /usr/share/datasets/fashion-mnist \
 *     dtkd-examples/src/main/resources/org/dtkd4j/examples/demo/fashion-mnist-subset
 * </pre>
 */
public final class DemoSubsetGenerator {

    private static final int IMAGES_MAGIC = 0x00000803;
    private static final int LABELS_MAGIC = 0x00000801;

    private DemoSubsetGenerator() {
    }

    /**
     * @param args the full Fashion-MNIST directory and the output directory
     */
    public static void main(String[] args) {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: DemoSubsetGenerator <fashion-mnist dir> <output dir>, found "
                    + args.length + " arguments");
        }
        TrainTestSplit written = write(Datasets.fashionMnist(Path.of(args[0])), Path.of(args[1]));
        System.out.println("wrote " + written.train() + " and " + written.test() + " to " + args[1]);
    }

    /**
     * Writes the subset of the full data into {@code dir} (created if needed), replacing the four files.
     *
     * @param full the full Fashion-MNIST splits
     * @param dir  the output directory
     * @return the subset written
     * @throws UncheckedIOException if a file cannot be written
     */
    public static TrainTestSplit write(TrainTestSplit full, Path dir) {
        TrainTestSplit subset = new TrainTestSplit(full.train().firstPerClass(DemoData.TRAIN_PER_CLASS),
                full.test().firstPerClass(DemoData.TEST_PER_CLASS));
        writeFiles(subset, dir);
        return subset;
    }

    /**
     * Writes two single-channel 28x28 splits as the four gzipped IDX files of a Fashion-MNIST directory.
     *
     * @param split the training and test images
     * @param dir   the output directory (created if needed)
     * @throws UncheckedIOException if a file cannot be written
     */
    static void writeFiles(TrainTestSplit split, Path dir) {
        try {
            Files.createDirectories(dir);
            writeImages(split.train(), dir.resolve(DemoData.FILES.get(0)));
            writeLabels(split.train(), dir.resolve(DemoData.FILES.get(1)));
            writeImages(split.test(), dir.resolve(DemoData.FILES.get(2)));
            writeLabels(split.test(), dir.resolve(DemoData.FILES.get(3)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write Fashion-MNIST files to " + dir + ": " + e.getMessage(), e);
        }
    }

    private static void writeImages(ImageDataset data, Path file) throws IOException {
        try (DataOutputStream out = idx(file)) {
            out.writeInt(IMAGES_MAGIC);
            out.writeInt(data.size());
            out.writeInt(data.height());
            out.writeInt(data.width());
            for (int i = 0; i < data.size(); i++) {
                for (int r = 0; r < data.height(); r++) {
                    for (int c = 0; c < data.width(); c++) {
                        out.writeByte(data.pixel(i, 0, r, c));
                    }
                }
            }
        }
    }

    private static void writeLabels(ImageDataset data, Path file) throws IOException {
        try (DataOutputStream out = idx(file)) {
            out.writeInt(LABELS_MAGIC);
            out.writeInt(data.size());
            for (int i = 0; i < data.size(); i++) {
                out.writeByte(data.label(i));
            }
        }
    }

    private static DataOutputStream idx(Path file) throws IOException {
        OutputStream gz = new GZIPOutputStream(Files.newOutputStream(file), 1 << 16);
        return new DataOutputStream(new BufferedOutputStream(gz, 1 << 16));
    }
}
