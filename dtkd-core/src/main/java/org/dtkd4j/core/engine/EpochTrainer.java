package org.dtkd4j.core.engine;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.dtkd4j.core.data.Augmentation;
import org.dtkd4j.core.data.ImageDataSetIterator;
import org.dtkd4j.core.data.ImageDataset;

import java.util.List;

/**
 * Takes the training steps of one epoch of a {@link Distiller} somewhere else than on its own thread, e.g. on the
 * executors of a Spark cluster (module {@code dtkd-spark}). Everything around the steps stays the engine's:
 * evaluation, {@code metrics.csv}, checkpoints, resume, the divergence report and the check that every batch used
 * the epoch's warmup factor ({@link Distiller#trainEpochsWith}).
 */
public interface EpochTrainer {

    /**
     * Trains the student on every batch of one epoch: the batches an {@link ImageDataSetIterator} over
     * {@link Epoch#trainData()} with {@link Epoch#batchSize()}, shuffling, {@link Epoch#seed()},
     * {@link Epoch#augmentation()} and the student's data type returns for epoch {@link Epoch#dl4jEpoch()}, labelled
     * with the teacher's logits of exactly those (augmented) images. On return the student holds the parameters and
     * updater state after the epoch, its epoch counter unchanged (the engine advances it), and
     * {@link Epoch#stats()} holds every trained batch ({@link EpochStatsListener#add}).
     *
     * @param epoch what to train
     * @throws RuntimeException if a step failed (the engine reports it as a divergence with the root cause's message)
     */
    void trainEpoch(Epoch epoch);

    /** @return a one-line description for the run's log, e.g. {@code "Spark local[2], 2 workers, averaging every 5 steps"} */
    String describe();

    /**
     * One epoch to train.
     *
     * @param student      the student, with the distillation loss on its output; its epoch counter is
     *                     {@code dl4jEpoch}
     * @param dl4jEpoch    the epoch, from 0 as DL4J counts (the reference's epoch {@code dl4jEpoch + 1})
     * @param trainData    the training split
     * @param batchSize    examples per batch
     * @param seed         the seed of the epoch's order and augmentation
     * @param augmentation the training images' augmentation
     * @param listeners    the listeners every copy of the student must run, in order (divergence guard,
     *                     {@code stats}, epoch synchronisation of the loss, weight decay); all serializable
     * @param stats        where the epoch's batches are recorded
     */
    record Epoch(ComputationGraph student, int dl4jEpoch, ImageDataset trainData, int batchSize, long seed,
                 Augmentation augmentation, List<TrainingListener> listeners, EpochStatsListener stats) {

        /** Copies the listener list. */
        public Epoch {
            listeners = List.copyOf(listeners);
        }
    }
}
