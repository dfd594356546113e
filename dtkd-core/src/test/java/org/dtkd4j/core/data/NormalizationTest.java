package org.dtkd4j.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class NormalizationTest {

    @Test
    void constantsAreTheDocumentedOnes() {
        assertChannels(Normalization.CIFAR100,
                new double[]{0.5071, 0.4867, 0.4408}, new double[]{0.2675, 0.2565, 0.2761});
        assertChannels(Normalization.CIFAR10,
                new double[]{0.4914, 0.4822, 0.4465}, new double[]{0.2470, 0.2435, 0.2616});
        assertChannels(Normalization.FASHION_MNIST, new double[]{0.2860}, new double[]{0.3530});
    }

    @Test
    void applyIsToTensorThenNormalize() {
        assertThat(Normalization.CIFAR100.apply(0, 255)).isEqualTo((1.0 - 0.5071) / 0.2675);
        assertThat(Normalization.CIFAR100.apply(2, 0)).isEqualTo(-0.4408 / 0.2761);
        assertThat(Normalization.CIFAR100.apply(1, 51)).isEqualTo((0.2 - 0.4867) / 0.2565, within(1e-15));
        assertThatThrownBy(() -> Normalization.CIFAR100.apply(0, 256)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("pixel must be in 0..255, found 256");
    }

    @Test
    void computeGivesPerChannelMeanAndPopulationStd() {
        // Two 1x2 images with 2 channels: channel 0 holds 0, 255, 0, 255; channel 1 holds 51, 102, 153, 204.
        byte[] pixels = {0, (byte) 255, 51, 102, 0, (byte) 255, (byte) 153, (byte) 204};
        ImageDataset dataset = ImageDataset.of("known", 2, List.of(), 2, 1, 2, pixels, new int[]{0, 1},
                Normalization.of(new double[]{0, 0}, new double[]{1, 1}));

        Normalization computed = Normalization.compute(dataset);

        assertThat(computed.mean(0)).isEqualTo(0.5, within(1e-15));
        assertThat(computed.std(0)).isEqualTo(0.5, within(1e-15));
        assertThat(computed.mean(1)).isEqualTo(0.5, within(1e-15));
        // values 0.2, 0.4, 0.6, 0.8: variance 0.3 - 0.25
        assertThat(computed.std(1)).isEqualTo(Math.sqrt(0.05), within(1e-15));
    }

    @Test
    void computeRejectsAConstantChannel() {
        ImageDataset flat = ImageDataset.of("flat", 1, List.of(), 1, 1, 2, new byte[]{7, 7}, new int[]{0},
                Normalization.of(new double[]{0}, new double[]{1}));
        assertThatThrownBy(() -> Normalization.compute(flat)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("std of channel 0 must be finite and > 0, found 0.0");
    }

    @Test
    void ofValidatesItsArguments() {
        assertThatThrownBy(() -> Normalization.of(new double[]{0.5, 0.5}, new double[]{0.2}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("mean and std need one value per channel, found 2 means and 1 stds");
        assertThatThrownBy(() -> Normalization.of(new double[]{Double.NaN}, new double[]{0.2}))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("mean of channel 0 must be finite, found NaN");
        assertThatThrownBy(() -> Normalization.of(new double[]{0.5}, new double[]{-1}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("std of channel 0 must be finite and > 0, found -1.0");
    }

    @Test
    void ofCopiesItsArraysAndComparesByValue() {
        double[] mean = {0.1};
        Normalization normalization = Normalization.of(mean, new double[]{0.2});
        mean[0] = 0.9;
        assertThat(normalization.mean(0)).isEqualTo(0.1);
        assertThat(normalization).isEqualTo(Normalization.of(new double[]{0.1}, new double[]{0.2}))
                .hasSameHashCodeAs(Normalization.of(new double[]{0.1}, new double[]{0.2}))
                .isNotEqualTo(Normalization.FASHION_MNIST);
    }

    private static void assertChannels(Normalization normalization, double[] mean, double[] std) {
        assertThat(normalization.channels()).isEqualTo(mean.length);
        for (int c = 0; c < mean.length; c++) {
            assertThat(normalization.mean(c)).isEqualTo(mean[c]);
            assertThat(normalization.std(c)).isEqualTo(std[c]);
        }
    }
}
