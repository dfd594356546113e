package org.dtkd4j.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ImageDatasetTest {

    private static final Normalization GREY = Normalization.of(new double[]{0.5}, new double[]{0.25});

    @Test
    void ofCopiesTheArraysAndExposesMetadata() {
        byte[] pixels = {1, 2, 3, 4, 5, 6, 7, 8};
        int[] labels = {1, 0};
        ImageDataset dataset = ImageDataset.of("tiny", 2, List.of("a", "b"), 1, 2, 2, pixels, labels, GREY);
        pixels[0] = 99;
        labels[0] = 0;

        assertThat(dataset.pixel(0, 0, 0, 0)).isEqualTo(1);
        assertThat(dataset.pixel(1, 0, 1, 0)).isEqualTo(7);
        assertThat(dataset.label(0)).isEqualTo(1);
        assertThat(dataset.size()).isEqualTo(2);
        assertThat(dataset.classNames()).containsExactly("a", "b");
        assertThat(dataset.normalization()).isEqualTo(GREY);
        assertThat(dataset).hasToString("tiny (2 images 1x2x2, 2 classes)");
        assertThatThrownBy(() -> dataset.pixel(0, 0, 2, 0)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void pixelsAreUnsignedBytes() {
        ImageDataset dataset = ImageDataset.of("u8", 1, List.of(), 1, 1, 1, new byte[]{(byte) 200}, new int[]{0},
                GREY);
        assertThat(dataset.pixel(0, 0, 0, 0)).isEqualTo(200);
    }

    @Test
    void constructionValidatesShapeLabelsNamesAndNormalization() {
        assertThatThrownBy(() -> ImageDataset.of("d", 2, List.of(), 1, 2, 2, new byte[7], new int[]{0, 1}, GREY))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("d: 2 examples of 1x2x2 need 8 pixel bytes, found 7");
        assertThatThrownBy(() -> ImageDataset.of("d", 2, List.of(), 1, 1, 1, new byte[2], new int[]{0, 2}, GREY))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("d: label of example 1 must be in 0..1, found 2");
        assertThatThrownBy(() -> ImageDataset.of("d", 2, List.of("x"), 1, 1, 1, new byte[1], new int[]{0}, GREY))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("d: classNames must be empty or hold numClasses = 2 names, found 1");
        assertThatThrownBy(() -> ImageDataset.of("d", 2, List.of(), 3, 1, 1, new byte[3], new int[]{0}, GREY))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("d: normalization must have 3 channels, found 1");
        assertThatThrownBy(() -> ImageDataset.of("d", 2, List.of(), 1, 1, 1, new byte[0], new int[0], GREY))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("d: a dataset needs at least one example, found 0");
        assertThatThrownBy(() -> ImageDataset.of(" ", 2, List.of(), 1, 1, 1, new byte[1], new int[]{0}, GREY))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("dataset name must not be blank, found ' '");
    }

    @Test
    void firstPerClassKeepsTheFirstKOfEachClassInOrder() {
        // labels: 0 1 2 0 1 2 0 1 2 0 (example e has label e % 3)
        ImageDataset dataset = DataFixtures.synthetic("ten", 10, 3, 1, 2);

        ImageDataset subset = dataset.firstPerClass(2);

        assertThat(subset.size()).isEqualTo(6);
        assertThat(subset.name()).isEqualTo("ten[first 2 per class]");
        assertThat(labels(subset)).containsExactly(0, 1, 2, 0, 1, 2);
        // The subset's example 4 is the dataset's example 4: same pixels.
        assertThat(subset.pixel(4, 0, 1, 1)).isEqualTo(DataFixtures.pixel(4, 0, 1, 1));
        assertThat(dataset.firstPerClass(5).classCounts()).containsExactly(4, 3, 3);
        assertThatThrownBy(() -> dataset.firstPerClass(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("k must be >= 1, found 0");
    }

    @Test
    void sampleIsSeededDistinctAndInDatasetOrder() {
        ImageDataset dataset = DataFixtures.synthetic("hundred", 100, 10, 1, 2);

        ImageDataset sample = dataset.sample(20, 7L);

        assertThat(sample.size()).isEqualTo(20);
        assertThat(sample.name()).isEqualTo("hundred[sample 20, seed 7]");
        int[] chosen = sourceIndices(sample);
        assertThat(chosen).isSorted().doesNotHaveDuplicates();
        assertThat(sourceIndices(dataset.sample(20, 7L))).containsExactly(chosen);
        assertThat(sourceIndices(dataset.sample(20, 8L))).isNotEqualTo(chosen);
        assertThat(sourceIndices(dataset.sample(100, 1L))).containsExactly(sourceIndices(dataset));
        assertThatThrownBy(() -> dataset.sample(101, 1L)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("sample size must be in 1..100, found 101");
    }

    /** Recovers which synthetic example each subset example is, from its pixel (0, 0, 0) = 31 e mod 256. */
    private static int[] sourceIndices(ImageDataset subset) {
        int[] indices = new int[subset.size()];
        for (int i = 0; i < indices.length; i++) {
            int p = subset.pixel(i, 0, 0, 0);
            // 31 * 223 = 6913 = 27 * 256 + 1, so 223 inverts 31 modulo 256.
            indices[i] = (p * 223) & 0xFF;
            assertThat(subset.label(i)).isEqualTo(indices[i] % subset.numClasses());
        }
        return indices;
    }

    private static int[] labels(ImageDataset dataset) {
        int[] labels = new int[dataset.size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = dataset.label(i);
        }
        return labels;
    }

    @Test
    void firstKeepsTheLeadingExamplesInOrder() {
        ImageDataset dataset = ImageDataset.of("d", 3, List.of(), 1, 1, 2, new byte[]{1, 2, 3, 4, 5, 6},
                new int[]{2, 0, 1}, GREY);

        ImageDataset two = dataset.first(2);

        assertThat(two.name()).isEqualTo("d[first 2]");
        assertThat(two.size()).isEqualTo(2);
        assertThat(new int[]{two.label(0), two.label(1)}).containsExactly(2, 0);
        assertThat(new int[]{two.pixel(1, 0, 0, 0), two.pixel(1, 0, 0, 1)}).containsExactly(3, 4);
        assertThat(dataset.first(10).size()).isEqualTo(3);
        assertThatThrownBy(() -> dataset.first(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("n must be >= 1, found 0");
    }

    @Test
    void padAndReplicateZeroPadsEachChannelCopy() {
        // two 1x2x2 images: 1 2 / 3 4 and 5 6 / 7 8
        ImageDataset grey = ImageDataset.of("g", 2, List.of("a", "b"), 1, 2, 2, new byte[]{1, 2, 3, 4, 5, 6, 7, 8},
                new int[]{1, 0}, GREY);
        Normalization three = Normalization.of(new double[]{0.5, 0.5, 0.5}, new double[]{0.25, 0.25, 0.25});

        ImageDataset padded = grey.padAndReplicate("g3", 1, 3, three);

        assertThat(padded).hasToString("g3 (2 images 3x4x4, 2 classes)");
        assertThat(padded.classNames()).containsExactly("a", "b");
        assertThat(padded.normalization()).isEqualTo(three);
        int[][] second = {{0, 0, 0, 0}, {0, 5, 6, 0}, {0, 7, 8, 0}, {0, 0, 0, 0}};
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 4; y++) {
                for (int x = 0; x < 4; x++) {
                    assertThat(padded.pixel(1, c, y, x)).as("(%d, %d, %d)", c, y, x).isEqualTo(second[y][x]);
                }
            }
        }
        assertThat(padded.pixel(0, 2, 2, 2)).isEqualTo(4);
        assertThat(new int[]{padded.label(0), padded.label(1)}).containsExactly(1, 0);

        assertThatThrownBy(() -> grey.padAndReplicate("x", -1, 1, GREY)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("padding must be >= 0, found -1");
        assertThatThrownBy(() -> padded.padAndReplicate("x", 0, 1, GREY))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("g3: cannot make 1 channels from 3 (only a one-channel dataset is replicated), found "
                        + "channels 1");
        assertThatThrownBy(() -> grey.padAndReplicate("x", 0, 3, GREY)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("x: normalization must have 3 channels, found 1");
    }
}
