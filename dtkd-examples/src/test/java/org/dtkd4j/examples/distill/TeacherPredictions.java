package org.dtkd4j.examples.distill;

import org.dtkd4j.core.data.Datasets;
import org.dtkd4j.core.data.ImageDataSetIterator;
import org.dtkd4j.core.teacher.Teacher;
import org.dtkd4j.examples.testdata.GoldenOnnx;
import org.dtkd4j.examples.testdata.TinyCifar;
import org.dtkd4j.zoo.teacher.Teachers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Makes a test split on which a golden ONNX model's native zoo graph is right on every image: its labels are that
 * graph's predictions. An example that reports the teacher's top-1 on it must then report 1.
 */
final class TeacherPredictions {

    /**
     * @param data   the tiny CIFAR-100 directory
     * @param export the golden ONNX export whose zoo graph labelled its test images
     */
    record Labelled(Path data, Path export) {
        /** @return the export's model */
        String model() {
            return GoldenOnnx.model(export);
        }
    }

    private TeacherPredictions() {
    }

    /**
     * Writes tiny CIFAR-100 files ({@link TinyCifar#cifar100}: 32 training and 32 test images) and relabels their
     * test images with the predictions of {@code Teachers.zooFromOnnx(model, export)}, for the smallest golden
     * export whose graph predicts more than one class on them (a teacher that predicts one class everywhere would
     * not tell teachers apart). Fails, saying so, when no export does.
     *
     * @param dir a directory to create
     * @return the data and the export that labelled it
     */
    static Labelled cifar100LabelledByAnExport(Path dir) {
        int train = 32;
        int test = 32;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
        TinyCifar.cifar100(dir, train, test);
        List<String> oneClass = new ArrayList<>();
        for (Path export : GoldenOnnx.exports()) {
            int[] predictions = new int[test];
            int i = 0;
            try (Teacher teacher = Teachers.zooFromOnnx(GoldenOnnx.model(export), export);
                 ImageDataSetIterator it = ImageDataSetIterator.evaluation(Datasets.cifar100(dir).test(), test)) {
                while (it.hasNext()) {
                    for (long p : teacher.logits(it.next().getFeatures()).argMax(1).toLongVector()) {
                        predictions[i++] = (int) p;
                    }
                }
            }
            if (Arrays.stream(predictions).distinct().count() > 1) {
                TinyCifar.relabelCifar100Test(dir, train, predictions);
                return new Labelled(dir, export);
            }
            oneClass.add(GoldenOnnx.model(export));
        }
        throw new AssertionError("the golden fixtures lack an ONNX export whose zoo graph tells these test images "
                + "apart: every export " + oneClass + " predicts one class for all of them (randomly initialised deep "
                + "models often do; the public fixtures' resnet8 does not), so the check would not tell teachers "
                + "apart");
    }
}
