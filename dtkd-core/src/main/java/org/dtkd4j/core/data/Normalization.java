package org.dtkd4j.core.data;

import java.io.Serializable;
import java.util.Arrays;

/**
 * Per-channel normalisation of 8-bit pixels, as torchvision's {@code ToTensor()} followed by
 * {@code Normalize(mean, std)} in the reference:
 * <pre>
 *   x = (p / 255 - mean[c]) / std[c],   p in 0..255, c the channel
 * </pre>
 * computed in double precision (and rounded once to float for float features).
 *
 * <p>The constants:
 * <ul>
 *   <li>{@link #CIFAR100}: the reference's (mdistiller {@code get_cifar100_train_transform}).</li>
 *   <li>{@link #CIFAR10}: mdistiller has no CIFAR-10 loader; these are the commonly used per-channel mean and
 *   (population) standard deviation of the CIFAR-10 training pixels.</li>
 *   <li>{@link #FASHION_MNIST}: computed by {@link #compute(ImageDataset)} on the 60,000 Fashion-MNIST training
 *   images (47,040,000 pixels): mean 0.2860405969887955, std 0.3530242445149226, kept to 4 decimals like the
 *   others. A test recomputes them from the installed dataset. {@link #FASHION_MNIST_RGB} repeats them on three
 *   channels.</li>
 * </ul>
 * Immutable and serializable.
 */
public final class Normalization implements Serializable {

    private static final long serialVersionUID = 1L;

    /** The reference's CIFAR-100 constants: mean (0.5071, 0.4867, 0.4408), std (0.2675, 0.2565, 0.2761). */
    public static final Normalization CIFAR100 =
            of(new double[]{0.5071, 0.4867, 0.4408}, new double[]{0.2675, 0.2565, 0.2761});

    /** CIFAR-10 training-set constants: mean (0.4914, 0.4822, 0.4465), std (0.2470, 0.2435, 0.2616). */
    public static final Normalization CIFAR10 =
            of(new double[]{0.4914, 0.4822, 0.4465}, new double[]{0.2470, 0.2435, 0.2616});

    /** Fashion-MNIST training-set constants: mean 0.2860, std 0.3530 (see the class comment). */
    public static final Normalization FASHION_MNIST = of(new double[]{0.2860}, new double[]{0.3530});

    /**
     * {@link #FASHION_MNIST}'s constants on three identical channels, for Fashion-MNIST replicated to 3 channels
     * ({@link Datasets#fashionMnist32(java.nio.file.Path)}): mean 0.2860, std 0.3530 on each.
     */
    public static final Normalization FASHION_MNIST_RGB =
            of(new double[]{0.2860, 0.2860, 0.2860}, new double[]{0.3530, 0.3530, 0.3530});

    private final double[] mean;
    private final double[] std;

    private Normalization(double[] mean, double[] std) {
        this.mean = mean;
        this.std = std;
    }

    /**
     * Creates a normalisation from per-channel means and standard deviations, both in units of {@code p / 255}.
     *
     * @param mean per-channel means
     * @param std  per-channel standard deviations
     * @return the normalisation
     * @throws IllegalArgumentException if the arrays are empty or differ in length, a mean is not finite, or a
     *                                  standard deviation is not finite and positive
     */
    public static Normalization of(double[] mean, double[] std) {
        if (mean.length == 0 || mean.length != std.length) {
            throw new IllegalArgumentException("mean and std need one value per channel, found " + mean.length
                    + " means and " + std.length + " stds");
        }
        for (int c = 0; c < mean.length; c++) {
            if (!Double.isFinite(mean[c])) {
                throw new IllegalArgumentException("mean of channel " + c + " must be finite, found " + mean[c]);
            }
            if (!(std[c] > 0) || !Double.isFinite(std[c])) {
                throw new IllegalArgumentException("std of channel " + c + " must be finite and > 0, found " + std[c]);
            }
        }
        return new Normalization(mean.clone(), std.clone());
    }

    /**
     * Computes the per-channel mean and population standard deviation of {@code p / 255} over every pixel of a
     * dataset: {@code mean = S1 / n}, {@code std = sqrt(S2 / n - mean^2)}, with the sums {@code S1}, {@code S2} of
     * {@code p / 255} and its square over the {@code n = size * height * width} pixels of the channel (accumulated
     * exactly in integers).
     *
     * @param dataset the dataset, normally a training split
     * @return its normalisation
     * @throws IllegalArgumentException if a channel is constant (std 0)
     */
    public static Normalization compute(ImageDataset dataset) {
        int channels = dataset.channels();
        int area = dataset.height() * dataset.width();
        long[] sum = new long[channels];
        long[] sumOfSquares = new long[channels];
        byte[] pixels = dataset.pixelArray();
        int p = 0;
        for (int example = 0; example < dataset.size(); example++) {
            for (int c = 0; c < channels; c++) {
                for (int k = 0; k < area; k++) {
                    int value = pixels[p++] & 0xFF;
                    sum[c] += value;
                    sumOfSquares[c] += value * value;
                }
            }
        }
        double count = (double) dataset.size() * area;
        double[] mean = new double[channels];
        double[] std = new double[channels];
        for (int c = 0; c < channels; c++) {
            mean[c] = sum[c] / count / 255.0;
            std[c] = Math.sqrt(Math.max(0.0, sumOfSquares[c] / count / (255.0 * 255.0) - mean[c] * mean[c]));
        }
        return of(mean, std);
    }

    /** @return the number of channels */
    public int channels() {
        return mean.length;
    }

    /**
     * @param channel a channel index
     * @return the channel's mean, in units of {@code p / 255}
     */
    public double mean(int channel) {
        return mean[channel];
    }

    /**
     * @param channel a channel index
     * @return the channel's standard deviation, in units of {@code p / 255}
     */
    public double std(int channel) {
        return std[channel];
    }

    /**
     * Normalises one pixel value.
     *
     * @param channel the channel index
     * @param pixel   the 8-bit value, 0..255
     * @return {@code (pixel / 255 - mean[channel]) / std[channel]}
     * @throws IllegalArgumentException if {@code pixel} is outside 0..255
     */
    public double apply(int channel, int pixel) {
        if (pixel < 0 || pixel > 255) {
            throw new IllegalArgumentException("pixel must be in 0..255, found " + pixel);
        }
        return (pixel / 255.0 - mean[channel]) / std[channel];
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Normalization n && Arrays.equals(mean, n.mean) && Arrays.equals(std, n.std);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(mean) + Arrays.hashCode(std);
    }

    @Override
    public String toString() {
        return "Normalization(mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + ")";
    }
}
