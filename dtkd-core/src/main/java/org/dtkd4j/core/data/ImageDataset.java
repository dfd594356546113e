package org.dtkd4j.core.data;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.stream.IntStream;

/**
 * An image classification dataset held fully in memory: 8-bit pixels in {@code [example][channel][row][column]}
 * order (one byte per pixel, so CIFAR-10's 50,000 training images take 150 MB) and {@code int} labels, with the
 * metadata a training run needs.
 *
 * <p>Immutable and safe to share between threads. Instances come from {@link Datasets}, from
 * {@link #of(String, int, List, int, int, int, byte[], int[], Normalization)}, from the subset helpers
 * {@link #first(int)}, {@link #firstPerClass(int)} and {@link #sample(int, long)}, which keep the dataset order so
 * that small runs stay deterministic, or from the shape transform
 * {@link #padAndReplicate(String, int, int, Normalization)}. Serializable, e.g. to be broadcast to the workers of a
 * cluster.
 */
public final class ImageDataset implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String name;
    private final int numClasses;
    private final List<String> classNames;
    private final int channels;
    private final int height;
    private final int width;
    private final byte[] pixels;
    private final int[] labels;
    private final Normalization normalization;

    /** Validates and takes ownership of the arrays (no copy); the loaders in this package use it directly. */
    ImageDataset(String name, int numClasses, List<String> classNames, int channels, int height, int width,
                 byte[] pixels, int[] labels, Normalization normalization) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("dataset name must not be blank, found '" + name + "'");
        }
        if (numClasses < 1) {
            throw new IllegalArgumentException(name + ": numClasses must be >= 1, found " + numClasses);
        }
        if (!classNames.isEmpty() && classNames.size() != numClasses) {
            throw new IllegalArgumentException(name + ": classNames must be empty or hold numClasses = " + numClasses
                    + " names, found " + classNames.size());
        }
        if (channels < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException(name + ": channels, height and width must be >= 1, found "
                    + channels + "x" + height + "x" + width);
        }
        if (labels.length == 0) {
            throw new IllegalArgumentException(name + ": a dataset needs at least one example, found 0");
        }
        long expectedPixels = (long) labels.length * channels * height * width;
        if (pixels.length != expectedPixels) {
            throw new IllegalArgumentException(name + ": " + labels.length + " examples of " + channels + "x" + height
                    + "x" + width + " need " + expectedPixels + " pixel bytes, found " + pixels.length);
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= numClasses) {
                throw new IllegalArgumentException(name + ": label of example " + i + " must be in 0.."
                        + (numClasses - 1) + ", found " + labels[i]);
            }
        }
        if (normalization.channels() != channels) {
            throw new IllegalArgumentException(name + ": normalization must have " + channels + " channels, found "
                    + normalization.channels());
        }
        this.name = name;
        this.numClasses = numClasses;
        this.classNames = List.copyOf(classNames);
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.pixels = pixels;
        this.labels = labels;
        this.normalization = normalization;
    }

    /**
     * Creates a dataset from copies of the given arrays.
     *
     * @param name          a short name for logs and errors, e.g. {@code "cifar100-train"}
     * @param numClasses    the number of classes
     * @param classNames    the class names in label order, or an empty list if unknown
     * @param channels      channels per image
     * @param height        image height
     * @param width         image width
     * @param pixels        {@code size * channels * height * width} bytes, unsigned, in
     *                      {@code [example][channel][row][column]} order
     * @param labels        one label in {@code 0 .. numClasses-1} per example
     * @param normalization the normalisation iterators apply by default, with {@code channels} channels
     * @return the dataset
     * @throws IllegalArgumentException if the arrays, labels, class names or normalisation do not fit the shape
     */
    public static ImageDataset of(String name, int numClasses, List<String> classNames, int channels, int height,
                                  int width, byte[] pixels, int[] labels, Normalization normalization) {
        return new ImageDataset(name, numClasses, classNames, channels, height, width, pixels.clone(), labels.clone(),
                normalization);
    }

    /** @return the dataset's name, e.g. {@code "cifar10-train"} */
    public String name() {
        return name;
    }

    /** @return the number of classes */
    public int numClasses() {
        return numClasses;
    }

    /** @return the class names in label order (unmodifiable), or an empty list if unknown */
    public List<String> classNames() {
        return classNames;
    }

    /** @return channels per image */
    public int channels() {
        return channels;
    }

    /** @return image height in pixels */
    public int height() {
        return height;
    }

    /** @return image width in pixels */
    public int width() {
        return width;
    }

    /** @return the number of examples */
    public int size() {
        return labels.length;
    }

    /** @return the normalisation iterators over this dataset apply unless told otherwise */
    public Normalization normalization() {
        return normalization;
    }

    /**
     * @param example the example index
     * @return its label, in {@code 0 .. numClasses()-1}
     */
    public int label(int example) {
        return labels[example];
    }

    /**
     * Reads one pixel.
     *
     * @param example the example index
     * @param channel the channel
     * @param row     the row, from the top
     * @param column  the column, from the left
     * @return the 8-bit value, 0..255
     * @throws IndexOutOfBoundsException if an index is out of range
     */
    public int pixel(int example, int channel, int row, int column) {
        Objects.checkIndex(example, labels.length);
        Objects.checkIndex(channel, channels);
        Objects.checkIndex(row, height);
        Objects.checkIndex(column, width);
        return pixels[((example * channels + channel) * height + row) * width + column] & 0xFF;
    }

    /** @return the number of examples of each class, indexed by label */
    public int[] classCounts() {
        int[] counts = new int[numClasses];
        for (int label : labels) {
            counts[label]++;
        }
        return counts;
    }

    /**
     * The first {@code n} examples, in dataset order (all of them if {@code n >= size()}). Named
     * {@code name() + "[first n]"}.
     *
     * @param n examples to keep, at least 1
     * @return the subset
     * @throws IllegalArgumentException if {@code n < 1}
     */
    public ImageDataset first(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("n must be >= 1, found " + n);
        }
        int count = Math.min(n, labels.length);
        return select(IntStream.range(0, count).toArray(), "[first " + n + "]");
    }

    /**
     * The first {@code k} examples of each class, in dataset order (a class with fewer than {@code k} examples
     * contributes all of them). Named {@code name() + "[first k per class]"}.
     *
     * @param k examples per class, at least 1
     * @return the subset
     * @throws IllegalArgumentException if {@code k < 1}
     */
    public ImageDataset firstPerClass(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1, found " + k);
        }
        int[] taken = new int[numClasses];
        int[] selected = new int[labels.length];
        int count = 0;
        for (int i = 0; i < labels.length; i++) {
            if (taken[labels[i]] < k) {
                taken[labels[i]]++;
                selected[count++] = i;
            }
        }
        return select(Arrays.copyOf(selected, count), "[first " + k + " per class]");
    }

    /**
     * A seeded random sample of {@code n} distinct examples, in dataset order: the first {@code n} positions of a
     * permutation drawn with seed {@code seed}, sorted. Named {@code name() + "[sample n, seed s]"}.
     *
     * @param n    the sample size, {@code 1 .. size()}
     * @param seed the seed; the same seed gives the same sample on every run
     * @return the subset
     * @throws IllegalArgumentException if {@code n} is outside {@code 1 .. size()}
     */
    public ImageDataset sample(int n, long seed) {
        if (n < 1 || n > labels.length) {
            throw new IllegalArgumentException("sample size must be in 1.." + labels.length + ", found " + n);
        }
        int[] selected = Arrays.copyOf(new SplitMix64(seed).permutation(labels.length), n);
        Arrays.sort(selected);
        return select(selected, "[sample " + n + ", seed " + seed + "]");
    }

    /**
     * Zero-pads every image by {@code padding} pixels on each side and, for a one-channel dataset, replicates its
     * channel to {@code channels} channels: output pixel {@code (c, y, x)} of an example is source pixel
     * {@code (c', y - padding, x - padding)}, with {@code c' = 0} for a one-channel source and {@code c' = c}
     * otherwise, and 0 where that position falls outside the source image. The padding is applied to the 8-bit
     * pixels, so a padded pixel is normalised as a black one: {@code (0 - mean[c]) / std[c]}. E.g. Fashion-MNIST read
     * as the CIFAR models' input, {@code padAndReplicate("fashion-mnist-32-train", 2, 3,
     * Normalization.FASHION_MNIST_RGB)}: 1x28x28 becomes 3x32x32, as torchvision's {@code Pad(2)} then
     * {@code Grayscale(3)} (or repeating the tensor on 3 channels) before {@code ToTensor()} and
     * {@code Normalize}.
     *
     * @param newName       the new dataset's name
     * @param padding       zero pixels added on each side, {@code >= 0}
     * @param channels      the output channels: {@code channels()}, or any number {@code >= 1} for a one-channel
     *                      dataset
     * @param normalization the new dataset's normalisation, with {@code channels} channels
     * @return the transformed dataset, same labels and class names
     * @throws IllegalArgumentException if {@code padding < 0}, the channels cannot be produced from this dataset's, or
     *                                  the normalisation does not have {@code channels} channels
     */
    public ImageDataset padAndReplicate(String newName, int padding, int channels, Normalization normalization) {
        if (padding < 0) {
            throw new IllegalArgumentException("padding must be >= 0, found " + padding);
        }
        if (channels < 1 || (this.channels != 1 && channels != this.channels)) {
            throw new IllegalArgumentException(name + ": cannot make " + channels + " channels from " + this.channels
                    + " (only a one-channel dataset is replicated), found channels " + channels);
        }
        long outHeight = height + 2L * padding;
        long outWidth = width + 2L * padding;
        long total = (long) labels.length * channels * outHeight * outWidth;
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(name + ": " + labels.length + " examples of " + channels + "x"
                    + outHeight + "x" + outWidth + " need " + total + " bytes, more than one array can hold");
        }
        int h = (int) outHeight;
        int w = (int) outWidth;
        byte[] out = new byte[(int) total];
        for (int e = 0; e < labels.length; e++) {
            for (int c = 0; c < channels; c++) {
                int source = this.channels == 1 ? 0 : c;
                for (int y = 0; y < height; y++) {
                    System.arraycopy(pixels, ((e * this.channels + source) * height + y) * width, out,
                            ((e * channels + c) * h + y + padding) * w + padding, width);
                }
            }
        }
        return new ImageDataset(newName, numClasses, classNames, channels, h, w, out, labels.clone(), normalization);
    }

    /**
     * The raw pixel array, shared and not copied: callers in this package must not modify it.
     *
     * @return {@code size() * channels() * height() * width()} bytes
     */
    byte[] pixelArray() {
        return pixels;
    }

    private ImageDataset select(int[] examples, String suffix) {
        int exampleBytes = channels * height * width;
        byte[] subsetPixels = new byte[examples.length * exampleBytes];
        int[] subsetLabels = new int[examples.length];
        for (int i = 0; i < examples.length; i++) {
            System.arraycopy(pixels, examples[i] * exampleBytes, subsetPixels, i * exampleBytes, exampleBytes);
            subsetLabels[i] = labels[examples[i]];
        }
        return new ImageDataset(name + suffix, numClasses, classNames, channels, height, width, subsetPixels,
                subsetLabels, normalization);
    }

    @Override
    public String toString() {
        return name + " (" + labels.length + " images " + channels + "x" + height + "x" + width + ", " + numClasses
                + " classes)";
    }
}
