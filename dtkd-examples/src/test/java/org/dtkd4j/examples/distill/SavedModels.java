package org.dtkd4j.examples.distill;

import org.deeplearning4j.util.ModelSerializer;
import org.dtkd4j.core.data.ImageDataset;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * Accuracy recomputed from a saved model, independently of the engine's evaluation: the model is restored from its
 * zip and scored by {@link PlainApiDistillation#top1} (DL4J's {@code Evaluation}: argmax of the outputs against the
 * one-hot labels).
 */
public final class SavedModels {

    private SavedModels() {
    }

    /**
     * @param zip  a model saved by {@link ModelSerializer} (e.g. a run's {@code checkpoints/latest.zip})
     * @param test the test split
     * @return the model's top-1 accuracy on {@code test}
     */
    public static double top1(Path zip, ImageDataset test) {
        try {
            return PlainApiDistillation.top1(ModelSerializer.restoreComputationGraph(zip.toFile(), false), test, 50);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot restore " + zip, e);
        }
    }
}
