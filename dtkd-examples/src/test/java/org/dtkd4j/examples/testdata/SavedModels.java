package org.dtkd4j.examples.testdata;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.dtkd4j.core.data.ImageDataSetIterator;
import org.dtkd4j.core.data.ImageDataset;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.dataset.DataSet;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * Accuracy recomputed from a saved model, independently of the engine's evaluation: the model is restored from its
 * zip and scored with DL4J's {@link Evaluation} (argmax of the outputs against the one-hot labels).
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
        ComputationGraph net;
        try {
            net = ModelSerializer.restoreComputationGraph(zip.toFile(), false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot restore " + zip, e);
        }
        Evaluation evaluation = new Evaluation();
        try (ImageDataSetIterator it = ImageDataSetIterator.evaluation(test, 50)) {
            while (it.hasNext()) {
                DataSet ds = it.next();
                evaluation.eval(ds.getLabels(), net.outputSingle(false, ds.getFeatures()));
            }
        }
        return evaluation.accuracy();
    }
}
