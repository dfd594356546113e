package org.dtkd4j.core.engine;

import java.util.Arrays;
import java.util.Locale;
import java.util.Set;

/**
 * The optimisation recipe of a training run; the defaults are the DTKD reference's CIFAR-100 recipe
 * ({@code mdistiller/configs/cifar100/*.yaml}): SGD with momentum 0.9, weight decay 5e-4 (PyTorch semantics, every
 * parameter), batch 64, 240 epochs, learning rate 0.05 (0.01 for MobileNetV2 and ShuffleNet students), multiplied by
 * 0.1 after epochs 150, 180 and 210.
 *
 * @param epochs number of training epochs, &gt; 0
 * @param batchSize minibatch size, &gt; 0
 * @param learningRate initial learning rate, finite and &gt; 0
 * @param lrMilestones epochs (reference numbering, from 1) after which the rate is multiplied by {@code lrDecay};
 *                     strictly increasing, each &gt; 0
 * @param lrDecay factor applied at each milestone, finite and &gt; 0
 * @param momentum heavy-ball momentum in [0, 1)
 * @param weightDecay L2 weight decay added to the gradient, finite and &gt;= 0
 * @param seed seed of the data order, augmentation and (for zoo students) initialisation
 * @param checkpointEvery keep a numbered checkpoint every this many epochs; 0 keeps only {@code latest} and
 *                        {@code best}
 */
public record TrainingRecipe(int epochs, int batchSize, double learningRate, int[] lrMilestones, double lrDecay,
                             double momentum, double weightDecay, long seed, int checkpointEvery) {

    /** Student architectures for which the reference uses learning rate 0.01 instead of 0.05. */
    public static final Set<String> LOW_LR_STUDENTS = Set.of("MobileNetV2", "ShuffleV1", "ShuffleV2");

    /** Validates every field; messages name the field and the value found. */
    public TrainingRecipe {
        positive("epochs", epochs);
        positive("batchSize", batchSize);
        if (!(learningRate > 0 && Double.isFinite(learningRate))) {
            throw new IllegalArgumentException("TrainingRecipe.learningRate must be finite and > 0, found " + learningRate);
        }
        lrMilestones = lrMilestones.clone();
        for (int i = 0; i < lrMilestones.length; i++) {
            if (lrMilestones[i] <= 0 || (i > 0 && lrMilestones[i] <= lrMilestones[i - 1])) {
                throw new IllegalArgumentException("TrainingRecipe.lrMilestones must be > 0 and strictly increasing, found "
                        + Arrays.toString(lrMilestones));
            }
        }
        if (!(lrDecay > 0 && Double.isFinite(lrDecay))) {
            throw new IllegalArgumentException("TrainingRecipe.lrDecay must be finite and > 0, found " + lrDecay);
        }
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("TrainingRecipe.momentum must be in [0, 1), found " + momentum);
        }
        if (!(weightDecay >= 0 && Double.isFinite(weightDecay))) {
            throw new IllegalArgumentException("TrainingRecipe.weightDecay must be finite and >= 0, found " + weightDecay);
        }
        if (checkpointEvery < 0) {
            throw new IllegalArgumentException("TrainingRecipe.checkpointEvery must be >= 0, found " + checkpointEvery);
        }
    }

    private static void positive(String field, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException("TrainingRecipe." + field + " must be > 0, found " + value);
        }
    }

    /** @return the reference recipe (learning rate 0.05, seed 0, a numbered checkpoint every 40 epochs) */
    public static TrainingRecipe reference() {
        return new TrainingRecipe(240, 64, 0.05, new int[]{150, 180, 210}, 0.1, 0.9, 5e-4, 0L, 40);
    }

    /**
     * @param studentName a zoo model name
     * @return the reference recipe with the reference's learning rate for that student
     */
    public static TrainingRecipe reference(String studentName) {
        TrainingRecipe r = reference();
        return LOW_LR_STUDENTS.contains(studentName) ? r.withLearningRate(0.01) : r;
    }

    @Override
    public int[] lrMilestones() {
        return lrMilestones.clone();
    }

    /** @param v new value @return a copy with {@code epochs = v} */
    public TrainingRecipe withEpochs(int v) {
        return new TrainingRecipe(v, batchSize, learningRate, lrMilestones, lrDecay, momentum, weightDecay, seed,
                checkpointEvery);
    }

    /** @param v new value @return a copy with {@code batchSize = v} */
    public TrainingRecipe withBatchSize(int v) {
        return new TrainingRecipe(epochs, v, learningRate, lrMilestones, lrDecay, momentum, weightDecay, seed,
                checkpointEvery);
    }

    /** @param v new value @return a copy with {@code learningRate = v} */
    public TrainingRecipe withLearningRate(double v) {
        return new TrainingRecipe(epochs, batchSize, v, lrMilestones, lrDecay, momentum, weightDecay, seed,
                checkpointEvery);
    }

    /** @param v new value @return a copy with {@code lrMilestones = v} */
    public TrainingRecipe withLrMilestones(int... v) {
        return new TrainingRecipe(epochs, batchSize, learningRate, v, lrDecay, momentum, weightDecay, seed,
                checkpointEvery);
    }

    /** @param v new value @return a copy with {@code seed = v} */
    public TrainingRecipe withSeed(long v) {
        return new TrainingRecipe(epochs, batchSize, learningRate, lrMilestones, lrDecay, momentum, weightDecay, v,
                checkpointEvery);
    }

    /** @param v new value @return a copy with {@code checkpointEvery = v} */
    public TrainingRecipe withCheckpointEvery(int v) {
        return new TrainingRecipe(epochs, batchSize, learningRate, lrMilestones, lrDecay, momentum, weightDecay, seed, v);
    }

    /** @param v new value @return a copy with {@code weightDecay = v} */
    public TrainingRecipe withWeightDecay(double v) {
        return new TrainingRecipe(epochs, batchSize, learningRate, lrMilestones, lrDecay, momentum, v, seed,
                checkpointEvery);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TrainingRecipe r && epochs == r.epochs && batchSize == r.batchSize
                && Double.compare(learningRate, r.learningRate) == 0 && Arrays.equals(lrMilestones, r.lrMilestones)
                && Double.compare(lrDecay, r.lrDecay) == 0 && Double.compare(momentum, r.momentum) == 0
                && Double.compare(weightDecay, r.weightDecay) == 0 && seed == r.seed
                && checkpointEvery == r.checkpointEvery;
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(lrMilestones) + java.util.Objects.hash(epochs, batchSize, learningRate, lrDecay,
                momentum, weightDecay, seed, checkpointEvery);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "TrainingRecipe[epochs=%d, batchSize=%d, learningRate=%s, lrMilestones=%s, "
                        + "lrDecay=%s, momentum=%s, weightDecay=%s, seed=%d, checkpointEvery=%d]", epochs, batchSize,
                learningRate, Arrays.toString(lrMilestones), lrDecay, momentum, weightDecay, seed, checkpointEvery);
    }
}
