package org.dtkd4j.core.data;

import java.util.stream.IntStream;

/**
 * Everything random about one epoch: the example order and, for each position in that order, the crop shift and
 * the flip of {@link Augmentation}. A pure function of {@code (size, seed, epoch, shuffle, augmentation)}, so an
 * epoch replays exactly in any process.
 *
 * <p>Draw order, from {@code SplitMix64.forStream(seed, epoch)}: first the permutation (only if shuffling), then
 * for each position {@code i = 0 .. size-1} in turn {@code sy}, {@code sx} (each {@code nextInt(2p + 1) - p},
 * only if {@code p > 0}) and the flip ({@code nextBoolean()}, only if flipping).
 *
 * @param order  {@code order[i]} is the index of the example at position {@code i} of the epoch
 * @param shiftY vertical crop shift of position {@code i}, in {@code [-p, p]}
 * @param shiftX horizontal crop shift of position {@code i}, in {@code [-p, p]}
 * @param flip   whether position {@code i} is flipped left-right
 */
record EpochPlan(int[] order, int[] shiftY, int[] shiftX, boolean[] flip) {

    /**
     * Plans one epoch.
     *
     * @param size         number of examples
     * @param seed         the iterator's seed
     * @param epoch        the epoch, from 0
     * @param shuffle      whether to permute the examples (else they come in dataset order)
     * @param augmentation the augmentation whose random parameters to draw
     * @return the plan
     */
    static EpochPlan of(int size, long seed, int epoch, boolean shuffle, Augmentation augmentation) {
        SplitMix64 random = SplitMix64.forStream(seed, epoch);
        int[] order = shuffle ? random.permutation(size) : IntStream.range(0, size).toArray();
        int padding = augmentation.padding();
        int[] shiftY = new int[size];
        int[] shiftX = new int[size];
        boolean[] flip = new boolean[size];
        for (int i = 0; i < size; i++) {
            if (padding > 0) {
                shiftY[i] = random.nextInt(2 * padding + 1) - padding;
                shiftX[i] = random.nextInt(2 * padding + 1) - padding;
            }
            flip[i] = augmentation.horizontalFlip() && random.nextBoolean();
        }
        return new EpochPlan(order, shiftY, shiftX, flip);
    }
}
