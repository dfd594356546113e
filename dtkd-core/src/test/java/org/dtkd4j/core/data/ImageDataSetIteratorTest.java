package org.dtkd4j.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.dtkd4j.core.data.DataFixtures.pixel;
import static org.dtkd4j.core.data.PrefetcherTest.liveThread;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.stream.IntStream;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.dtkd4j.core.data.DataFixtures.Snapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.lossfunctions.LossFunctions;

class ImageDataSetIteratorTest {

    /** 37 synthetic 3x8x8 images in 5 classes: 4 full batches of 8 and a last batch of 5. */
    private static final ImageDataset SMALL = DataFixtures.synthetic("small", 37, 5, 3, 8);

    @Test
    void batchesAreNormalisedNchwWithOneHotLabelsAndAPartialLastBatch() {
        try (ImageDataSetIterator iterator = ImageDataSetIterator.builder(SMALL).batchSize(8)
                .normalization(Normalization.CIFAR100).build()) {
            assertThat(iterator.batchesPerEpoch()).isEqualTo(5);
            List<DataSet> batches = drain(iterator);

            assertThat(batches).extracting(b -> b.getFeatures().size(0)).containsExactly(8L, 8L, 8L, 8L, 5L);
            for (int b = 0; b < batches.size(); b++) {
                INDArray features = batches.get(b).getFeatures();
                INDArray labels = batches.get(b).getLabels();
                assertThat(features.dataType()).isEqualTo(DataType.FLOAT);
                assertThat(labels.dataType()).isEqualTo(DataType.FLOAT);
                assertThat(features.shape()).containsExactly(features.size(0), 3, 8, 8);
                assertThat(labels.shape()).containsExactly(features.size(0), 5);
                for (int j = 0; j < features.size(0); j++) {
                    int example = 8 * b + j;
                    for (int k = 0; k < 5; k++) {
                        assertThat(labels.getFloat(j, k)).isEqualTo(k == example % 5 ? 1f : 0f);
                    }
                    for (int c = 0; c < 3; c++) {
                        for (int y = 0; y < 8; y++) {
                            for (int x = 0; x < 8; x++) {
                                assertThat(features.getFloat(j, c, y, x))
                                        .isEqualTo((float) Normalization.CIFAR100.apply(c, pixel(example, c, y, x)));
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void doubleFeaturesAreExactlyTheNormalisedValues() {
        try (ImageDataSetIterator iterator = ImageDataSetIterator.builder(SMALL).batchSize(37)
                .dataType(DataType.DOUBLE).normalization(Normalization.CIFAR10).build()) {
            DataSet batch = iterator.next();
            assertThat(batch.getFeatures().dataType()).isEqualTo(DataType.DOUBLE);
            assertThat(batch.getLabels().dataType()).isEqualTo(DataType.DOUBLE);
            for (int e = 0; e < 37; e += 6) {
                assertThat(batch.getFeatures().getDouble(e, 2, 7, 3))
                        .isEqualTo(Normalization.CIFAR10.apply(2, pixel(e, 2, 7, 3)));
            }
        }
    }

    @Test
    void cifarRedGreenBluePlanesBecomeChannelsZeroOneTwo(@TempDir Path dir) {
        DataFixtures.writeCifar10(dir, 2);
        ImageDataset test = Datasets.cifar10(dir).test();
        try (ImageDataSetIterator iterator = ImageDataSetIterator.builder(test).batchSize(2)
                .normalization(DataFixtures.UNIT_3).build()) {
            INDArray features = iterator.next().getFeatures();
            byte[] record = DataFixtures.cifarRecord(11, DataFixtures.cifar10Label(11));
            for (int c = 0; c < 3; c++) {
                // Byte 1 + 1024 c + 32 y + x of the record: channel c, row y, column x.
                assertThat(Math.round(features.getDouble(1, c, 5, 30) * 255))
                        .isEqualTo(record[1 + 1024 * c + 32 * 5 + 30] & 0xFF);
            }
        }
    }

    @Test
    void evaluationIteratorKeepsDatasetOrderWithoutAugmentationInEveryEpoch() {
        try (ImageDataSetIterator iterator = ImageDataSetIterator.evaluation(SMALL, 10)) {
            List<Snapshot> first = snapshots(iterator);
            iterator.reset();
            assertThat(iterator.epoch()).isEqualTo(1);
            assertThat(snapshots(iterator)).isEqualTo(first);
            assertThat(exampleOrder(first)).containsExactly(IntStream.range(0, 37).toArray());
        }
    }

    @Test
    void shuffledEpochVisitsEveryExampleOnceInItsOwnOrder() {
        try (ImageDataSetIterator iterator = ImageDataSetIterator.builder(SMALL).batchSize(8).shuffle(true).seed(3)
                .build()) {
            int[] epoch0 = exampleOrder(snapshots(iterator));
            iterator.reset();
            int[] epoch1 = exampleOrder(snapshots(iterator));

            assertThat(epoch0).containsExactlyInAnyOrder(IntStream.range(0, 37).toArray());
            assertThat(epoch1).containsExactlyInAnyOrder(IntStream.range(0, 37).toArray());
            assertThat(epoch1).isNotEqualTo(epoch0);
            assertThat(epoch0).containsExactly(EpochPlan.of(37, 3, 0, true, Augmentation.NONE).order());
        }
    }

    @Test
    void lastBatchExamplesNameTheRowsOfEachShuffledBatch() {
        try (ImageDataSetIterator iterator = ImageDataSetIterator.builder(SMALL).batchSize(8).shuffle(true).seed(3)
                .build()) {
            assertThatThrownBy(iterator::lastBatchExamples).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("has returned no batch yet");
            for (int epoch = 0; epoch < 2; epoch++) {
                iterator.setEpoch(epoch);
                int[] order = EpochPlan.of(37, 3, epoch, true, Augmentation.NONE).order();
                List<Integer> seen = new ArrayList<>();
                while (iterator.hasNext()) {
                    DataSet batch = iterator.next();
                    int[] examples = iterator.lastBatchExamples();
                    assertThat(examples).hasSize((int) batch.getFeatures().size(0));
                    for (int row = 0; row < examples.length; row++) {
                        assertThat(examples[row]).isEqualTo(order[seen.size()]);
                        // row 'row' holds example examples[row]: its first pixel and its label
                        assertThat(batch.getFeatures().getFloat(row, 0, 0, 0))
                                .isEqualTo((float) SMALL.normalization().apply(0, pixel(examples[row], 0, 0, 0)));
                        assertThat(batch.getLabels().getFloat(row, examples[row] % 5)).isEqualTo(1f);
                        seen.add(examples[row]);
                    }
                }
                assertThat(seen).containsExactlyInAnyOrderElementsOf(IntStream.range(0, 37).boxed().toList());
            }
        }
    }

    /** Every feature of two augmented epochs against the definition of crop, flip and normalisation. */
    @Test
    void augmentedBatchesFollowTheEpochPlanExactly() {
        try (ImageDataSetIterator iterator = ImageDataSetIterator.builder(SMALL).batchSize(8).shuffle(true)
                .augmentation(Augmentation.REFERENCE).seed(99).normalization(Normalization.CIFAR100).build()) {
            for (int epoch = 0; epoch < 2; epoch++) {
                iterator.reset();
                EpochPlan plan = EpochPlan.of(37, 99, epoch, true, Augmentation.REFERENCE);
                List<DataSet> batches = drain(iterator);
                for (int position = 0; position < 37; position++) {
                    INDArray features = batches.get(position / 8).getFeatures();
                    int j = position % 8;
                    int example = plan.order()[position];
                    assertThat(batches.get(position / 8).getLabels().getFloat(j, example % 5)).isEqualTo(1f);
                    for (int c = 0; c < 3; c++) {
                        for (int y = 0; y < 8; y++) {
                            for (int x = 0; x < 8; x++) {
                                int sourceY = y + plan.shiftY()[position];
                                int sourceX = (plan.flip()[position] ? 7 - x : x) + plan.shiftX()[position];
                                int p = sourceY >= 0 && sourceY < 8 && sourceX >= 0 && sourceX < 8
                                        ? pixel(example, c, sourceY, sourceX) : 0;
                                assertThat(features.getFloat(j, c, y, x))
                                        .isEqualTo((float) Normalization.CIFAR100.apply(c, p));
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * Crop and flip measured on a known image whose every pixel is nonzero and unique
     * ({@code 1 + 64 c + 8 y + x}): each output shows the content shifted by some {@code (sy, sx)} in [-4, 4]^2,
     * maybe mirrored, and exactly the pixels shifted in from outside are 0; all shifts and both flips occur.
     */
    @Test
    void cropShiftsContentAndZeroPadsTheBorderAndFlipMirrors() {
        int copies = 2000;
        byte[] pixels = new byte[copies * 192];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (1 + i % 192);
        }
        ImageDataset known = ImageDataset.of("known", 1, List.of(), 3, 8, 8, pixels, new int[copies],
                DataFixtures.UNIT_3);
        Set<Integer> shiftsY = new HashSet<>();
        Set<Integer> shiftsX = new HashSet<>();
        int flips = 0;
        try (ImageDataSetIterator iterator = ImageDataSetIterator.builder(known).batchSize(500)
                .augmentation(Augmentation.REFERENCE).seed(5).build();
             ImageDataSetIterator normalised = ImageDataSetIterator.builder(known).batchSize(500)
                     .augmentation(Augmentation.REFERENCE).seed(5).normalization(Normalization.CIFAR100).build()) {
            while (iterator.hasNext()) {
                float[] unit = iterator.next().getFeatures().data().asFloat();
                float[] normalisedFeatures = normalised.next().getFeatures().data().asFloat();
                for (int j = 0; j < unit.length / 192; j++) {
                    int[] measured = measureShiftAndFlip(unit, j * 192);
                    shiftsY.add(measured[0]);
                    shiftsX.add(measured[1]);
                    flips += measured[2];
                    // The padding is 0 before normalisation, as in the reference: (0 - mean) / std after it.
                    for (int i = j * 192; i < (j + 1) * 192; i++) {
                        int p = Math.round(unit[i] * 255);
                        assertThat(normalisedFeatures[i])
                                .isEqualTo((float) Normalization.CIFAR100.apply(i / 64 % 3, p));
                    }
                }
            }
        }
        assertThat(shiftsY).containsExactlyInAnyOrder(-4, -3, -2, -1, 0, 1, 2, 3, 4);
        assertThat(shiftsX).containsExactlyInAnyOrder(-4, -3, -2, -1, 0, 1, 2, 3, 4);
        // Binomial(2000, 1/2): sd 22.
        assertThat(flips).isBetween(900, 1100);
    }

    /**
     * Measures one output image of the known-image test: every nonzero value {@code 1 + 64 c + 8 ys + xs} names
     * its source pixel; {@code ys - y} must be one constant {@code sy}, and {@code xs - x} (no flip) or
     * {@code xs + x - 7} (flip) one constant {@code sx}; the zero pixels must be exactly the
     * {@code 3 (64 - (8 - |sy|)(8 - |sx|))} shifted in from the padding.
     *
     * @return {@code {sy, sx, flip ? 1 : 0}}
     */
    private static int[] measureShiftAndFlip(float[] features, int offset) {
        Set<Integer> dy = new HashSet<>();
        Set<Integer> dxPlain = new HashSet<>();
        Set<Integer> dxFlipped = new HashSet<>();
        int zeros = 0;
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 8; y++) {
                for (int x = 0; x < 8; x++) {
                    int value = Math.round(features[offset + 64 * c + 8 * y + x] * 255);
                    if (value == 0) {
                        zeros++;
                        continue;
                    }
                    int source = value - 1;
                    if (source / 64 != c) {
                        throw new AssertionError("channel " + c + " shows a pixel of channel " + source / 64);
                    }
                    dy.add(source % 64 / 8 - y);
                    dxPlain.add(source % 8 - x);
                    dxFlipped.add(source % 8 + x - 7);
                }
            }
        }
        assertThat(dy).hasSize(1);
        boolean flipped = dxPlain.size() != 1;
        Set<Integer> dx = flipped ? dxFlipped : dxPlain;
        assertThat(dx).hasSize(1);
        int sy = dy.iterator().next();
        int sx = dx.iterator().next();
        assertThat(zeros).isEqualTo(3 * (64 - (8 - Math.abs(sy)) * (8 - Math.abs(sx))));
        return new int[]{sy, sx, flipped ? 1 : 0};
    }

    @Test
    void sameSeedAndEpochGiveTheSameBatchesOtherEpochsAndSeedsDoNot() {
        List<Snapshot> epoch2 = epochOfFreshIterator(7, 2);
        assertThat(epochOfFreshIterator(7, 2)).isEqualTo(epoch2);
        assertThat(epochOfFreshIterator(7, 3)).isNotEqualTo(epoch2);
        assertThat(epochOfFreshIterator(8, 2)).isNotEqualTo(epoch2);
    }

    /** Exact resume: epoch k of a fresh iterator equals epoch k of one long run driven like DL4J's fit does. */
    @Test
    void freshIteratorAtEpochKRepeatsEpochKOfAContinuousRun() {
        List<List<Snapshot>> continuous = new ArrayList<>();
        try (ImageDataSetIterator iterator = training(7)) {
            for (int epoch = 0; epoch < 4; epoch++) {
                if (!iterator.hasNext()) {
                    iterator.reset();
                }
                assertThat(iterator.epoch()).isEqualTo(epoch);
                continuous.add(snapshots(iterator));
            }
        }
        for (int k = 3; k >= 0; k--) {
            assertThat(epochOfFreshIterator(7, k)).as("epoch %d", k).isEqualTo(continuous.get(k));
        }
    }

    /** DL4J's fit(iterator, 3) trains on epochs 0, 1, 2, each with its own permutation. */
    @Test
    void dl4jFitWithEpochsSeesEpochZeroOneTwo() {
        MultiLayerConfiguration configuration = new NeuralNetConfiguration.Builder().seed(1).list()
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(5)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(8, 8, 3)).build();
        MultiLayerNetwork network = new MultiLayerNetwork(configuration);
        network.init();
        List<Snapshot> seen = new ArrayList<>();
        try (ImageDataSetIterator iterator = training(7)) {
            iterator.setPreProcessor(batch -> seen.add(Snapshot.of(batch)));

            network.fit(iterator, 3);

            assertThat(iterator.epoch()).isEqualTo(2);
        }
        assertThat(network.getEpochCount()).isEqualTo(3);
        List<Snapshot> expected = new ArrayList<>();
        for (int epoch = 0; epoch < 3; epoch++) {
            expected.addAll(epochOfFreshIterator(7, epoch));
        }
        assertThat(seen).isEqualTo(expected);
    }

    @Test
    void resetAdvancesOnlyAfterTheEpochReturnedABatch() {
        try (ImageDataSetIterator iterator = training(7)) {
            iterator.reset();
            assertThat(iterator.epoch()).isZero();
            iterator.next();
            iterator.reset();
            assertThat(iterator.epoch()).isEqualTo(1);
            iterator.reset();
            assertThat(iterator.epoch()).isEqualTo(1);
            // Reset midway through epoch 1 moves to the start of epoch 2.
            iterator.next();
            iterator.next();
            iterator.reset();
            assertThat(iterator.epoch()).isEqualTo(2);
            assertThat(snapshots(iterator)).isEqualTo(epochOfFreshIterator(7, 2));
            iterator.setEpoch(5);
            assertThat(iterator.epoch()).isEqualTo(5);
            assertThat(iterator.hasNext()).isTrue();
            assertThatThrownBy(() -> iterator.setEpoch(-1)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("epoch must be >= 0, found -1");
        }
    }

    @Test
    void prefetchedBatchesEqualSynchronousOnes() {
        List<List<Snapshot>> runs = new ArrayList<>();
        for (int prefetch : new int[]{0, 1, 3}) {
            try (ImageDataSetIterator iterator = ImageDataSetIterator.builder(SMALL).batchSize(4).shuffle(true)
                    .augmentation(Augmentation.REFERENCE).seed(21).prefetch(prefetch).build()) {
                List<Snapshot> batches = snapshots(iterator);
                iterator.reset();
                batches.addAll(snapshots(iterator));
                runs.add(batches);
            }
        }
        assertThat(runs.get(0)).hasSize(20);
        assertThat(runs.get(1)).isEqualTo(runs.get(0));
        assertThat(runs.get(2)).isEqualTo(runs.get(0));
    }

    @Test
    void workerEndsWithItsEpochOrOnCloseAndTheEpochContinuesAfterClose() {
        ImageDataset dataset = DataFixtures.synthetic("threads", 30, 3, 1, 4);
        String worker = "dtkd-prefetch-threads-epoch-0";
        List<Snapshot> synchronous;
        try (ImageDataSetIterator reference = ImageDataSetIterator.builder(dataset).batchSize(1).prefetch(0)
                .build()) {
            synchronous = snapshots(reference);
        }
        ImageDataSetIterator iterator = ImageDataSetIterator.builder(dataset).batchSize(1).prefetch(2).build();
        List<Snapshot> batches = new ArrayList<>();
        batches.add(Snapshot.of(iterator.next()));
        assertThat(liveThread(worker)).isTrue();

        iterator.close();

        assertThat(liveThread(worker)).isFalse();
        batches.addAll(snapshots(iterator));
        assertThat(batches).isEqualTo(synchronous);
        assertThat(liveThread(worker)).isFalse();
    }

    @Test
    void dataSetIteratorContract() {
        ImageDataset named = ImageDataset.of("named", 2, List.of("cat", "dog"), 1, 2, 2, new byte[8],
                new int[]{0, 1}, Normalization.FASHION_MNIST);
        try (ImageDataSetIterator iterator = ImageDataSetIterator.builder(named).batchSize(3).build()) {
            assertThat(iterator.getLabels()).containsExactly("cat", "dog");
            assertThat(iterator.inputColumns()).isEqualTo(4);
            assertThat(iterator.totalOutcomes()).isEqualTo(2);
            assertThat(iterator.batch()).isEqualTo(3);
            assertThat(iterator.resetSupported()).isTrue();
            assertThat(iterator.asyncSupported()).isFalse();
            assertThat(iterator.dataset()).isSameAs(named);
            assertThatThrownBy(() -> iterator.next(2)).isInstanceOf(UnsupportedOperationException.class)
                    .hasMessage("batches have the fixed size batch() = 3; next(2) is not supported");
            iterator.setPreProcessor(batch -> batch.getFeatures().assign(7));
            assertThat(iterator.next().getFeatures().getDouble(1, 0, 1, 1)).isEqualTo(7.0);
            assertThatThrownBy(iterator::next).isInstanceOf(NoSuchElementException.class)
                    .hasMessage("epoch 0 of named has returned all its 1 batches; call reset() or setEpoch(int)");
        }
        try (ImageDataSetIterator iterator = ImageDataSetIterator.evaluation(SMALL, 5)) {
            assertThat(iterator.getLabels()).isNull();
        }
    }

    @Test
    void builderRejectsBadConfigurations() {
        assertThatThrownBy(() -> ImageDataSetIterator.builder(SMALL).batchSize(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("batchSize must be >= 1, found 0");
        assertThatThrownBy(() -> ImageDataSetIterator.builder(SMALL).prefetch(-1).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("prefetch must be >= 0, found -1");
        assertThatThrownBy(() -> ImageDataSetIterator.builder(SMALL).dataType(DataType.HALF).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("dataType must be FLOAT or DOUBLE, found HALF");
        assertThatThrownBy(() -> ImageDataSetIterator.builder(SMALL).normalization(Normalization.FASHION_MNIST).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("normalization has 1 channels but small (37 images 3x8x8, 5 classes) has 3");
        assertThatThrownBy(() -> new Augmentation(-1, true)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("padding must be >= 0, found -1");
    }

    @Test
    void seekBatchReturnsTheBatchesAPassOverTheEpochReturnsFromThere() {
        List<Snapshot> whole = epochOfFreshIterator(5, 2);
        for (int prefetch : new int[]{0, 2}) {
            try (ImageDataSetIterator iterator = ImageDataSetIterator.builder(SMALL).batchSize(8).shuffle(true)
                    .augmentation(Augmentation.REFERENCE).seed(5).prefetch(prefetch).build()) {
                iterator.setEpoch(2);
                iterator.seekBatch(3);
                assertThat(snapshots(iterator)).as("prefetch " + prefetch).isEqualTo(whole.subList(3, whole.size()));
                iterator.seekBatch(1);
                assertThat(Snapshot.of(iterator.next())).isEqualTo(whole.get(1));
                assertThatThrownBy(() -> iterator.seekBatch(6)).isInstanceOf(IllegalArgumentException.class)
                        .hasMessage("batch must be in [0, 5], found 6");
            }
        }
    }

    private static ImageDataSetIterator training(long seed) {
        return ImageDataSetIterator.builder(SMALL).batchSize(8).shuffle(true).augmentation(Augmentation.REFERENCE)
                .seed(seed).build();
    }

    private static List<Snapshot> epochOfFreshIterator(long seed, int epoch) {
        try (ImageDataSetIterator iterator = training(seed)) {
            iterator.setEpoch(epoch);
            return snapshots(iterator);
        }
    }

    /** The rest of the current epoch. */
    private static List<Snapshot> snapshots(ImageDataSetIterator iterator) {
        List<Snapshot> snapshots = new ArrayList<>();
        while (iterator.hasNext()) {
            snapshots.add(Snapshot.of(iterator.next()));
        }
        return snapshots;
    }

    private static List<DataSet> drain(ImageDataSetIterator iterator) {
        List<DataSet> batches = new ArrayList<>();
        while (iterator.hasNext()) {
            batches.add(iterator.next());
        }
        return batches;
    }

    /**
     * Which synthetic example each row of unaugmented, unit-normalised batches is: pixel (0, 0, 0) of example
     * {@code e} is {@code 31 e mod 256}, and 223 inverts 31 modulo 256.
     */
    private static int[] exampleOrder(List<Snapshot> batches) {
        List<Integer> order = new ArrayList<>();
        for (Snapshot batch : batches) {
            int exampleLength = (int) (batch.shape()[1] * batch.shape()[2] * batch.shape()[3]);
            for (int j = 0; j < batch.shape()[0]; j++) {
                int p = (int) Math.round(batch.features()[j * exampleLength] * 255);
                order.add((p * 223) & 0xFF);
            }
        }
        return order.stream().mapToInt(Integer::intValue).toArray();
    }
}
