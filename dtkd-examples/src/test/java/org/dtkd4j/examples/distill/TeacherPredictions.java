package org.dtkd4j.examples.distill;

import org.dtkd4j.core.data.Datasets;
import org.dtkd4j.core.data.ImageDataSetIterator;
import org.dtkd4j.core.teacher.Teacher;
import org.dtkd4j.examples.testdata.GoldenOnnx;
import org.dtkd4j.examples.testdata.TinyCifar;
import org.dtkd4j.zoo.teachers.Teachers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Makes a test split on which a golden ONNX model's native zoo graph is right on every image: its labels are that
 * graph's predictions. An example that reports the teacher's top-1 on it must then report 1.
 */
final class TeacherPredictions {

    private TeacherPredictions() {
    }

    /**
     * Writes tiny CIFAR-100 files ({@link TinyCifar#cifar100}: 32 training and 32 test images) and relabels their
     * test images with the predictions of {@code Teachers.zooFromOnnx(model, GoldenOnnx.file(model))}.
     *
     * @param model a model of the golden ONNX fixtures
     * @param dir   a directory to create
     * @return {@code dir}
     */
    static Path cifar100LabelledBy(String model, Path dir) {
        int train = 32;
        int test = 32;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
        TinyCifar.cifar100(dir, train, test);
        int[] predictions = new int[test];
        int i = 0;
        try (Teacher teacher = Teachers.zooFromOnnx(model, GoldenOnnx.file(model));
             ImageDataSetIterator it = ImageDataSetIterator.evaluation(Datasets.cifar100(dir).test(), test)) {
            while (it.hasNext()) {
                for (long p : teacher.logits(it.next().getFeatures()).argMax(1).toLongVector()) {
                    predictions[i++] = (int) p;
                }
            }
        }
        TinyCifar.relabelCifar100Test(dir, train, predictions);
        if (Arrays.stream(predictions).distinct().count() < 2) {
            throw new IllegalStateException(model + " predicts one class for every test image: "
                    + Arrays.toString(predictions) + "; the check would not tell teachers apart");
        }
        return dir;
    }
}
