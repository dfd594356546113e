package org.dtkd4j.examples.cli;

import org.dtkd4j.core.data.ImageDataSetIterator;
import org.dtkd4j.core.data.ImageDataset;
import org.dtkd4j.core.engine.Distiller;
import org.dtkd4j.core.teacher.Teacher;
import org.dtkd4j.examples.config.ExperimentConfig;
import org.dtkd4j.zoo.teacher.Teachers;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.dataset.DataSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;

/**
 * {@code dtkd eval}: top-1 and top-5 accuracy of a saved model on the test split of a dataset. The model is a run
 * directory (its {@code checkpoints/best.zip}), a DL4J {@code .zip}, an {@code .onnx} or a Keras {@code .h5} file,
 * loaded as a {@link Teacher} (inference mode, logits). Accuracy counts as DL4J's {@link Evaluation} does: top-1 is
 * the argmax, top-5 whether the label's logit has fewer than 5 larger ones (top-k with k = the class count below 5
 * classes).
 */
@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Print the top-1 and top-5 accuracy of a saved model (a student or a teacher) on the test "
                + "split of a dataset.",
                "The dataset is given by --dataset-type and --dataset-dir, or by a config (--cfg, KEY VALUE)."},
        footer = {"", "Example: dtkd eval --model output/DTKD_Final/dtkd,res56,res20 --dataset-type cifar100 "
                + "--dataset-dir data/cifar-100-binary"})
final class EvalCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "RUN_DIR|FILE",
            description = "a run directory (its checkpoints/best.zip), or a .zip (DL4J), .onnx or .h5 (Keras) file")
    Path model;

    @Mixin
    ExperimentOptions experiment;

    @Override
    public Integer call() {
        ExperimentConfig cfg = RunSetup.config(experiment.cfg, experiment.shortcuts(), experiment.overrides);
        Path file = modelFile(model);
        try (NativeThreads threads = NativeThreads.limit(cfg.extensions().threads())) {
            ImageDataset test = RunSetup.data(cfg).test();
            try (Teacher loaded = Teachers.load(file)) {
                RunSetup.requireFits(loaded, test);
                int k = Math.min(5, test.numClasses());
                Evaluation evaluation = new Evaluation(classNames(test), k);
                try (ImageDataSetIterator it = ImageDataSetIterator.evaluation(test,
                        cfg.dataset().testBatchSize())) {
                    while (it.hasNext()) {
                        DataSet batch = it.next();
                        evaluation.eval(batch.getLabels(), loaded.logits(batch.getFeatures()));
                    }
                }
                PrintWriter out = spec.commandLine().getOut();
                if (threads.threads() > 0) {
                    out.printf(Locale.ROOT, "compute threads: %d (DTKD4J.THREADS)%n", threads.threads());
                }
                out.printf(Locale.ROOT, "model: %s%n", loaded.describe());
                out.printf(Locale.ROOT, "data:  %s, %d test images%n", RunSetup.describe(test), test.size());
                out.printf(Locale.ROOT, "top-1: %.2f%%%n", 100 * evaluation.accuracy());
                out.printf(Locale.ROOT, "top-%d: %.2f%%%n", k, 100 * evaluation.topNAccuracy());
            }
        }
        return 0;
    }

    /**
     * @param model a run directory or a model file
     * @return the file to load: the run's {@code checkpoints/best.zip}, or the file itself
     * @throws IllegalArgumentException if the path does not exist, or is a directory without a best checkpoint
     */
    static Path modelFile(Path model) {
        if (Files.isDirectory(model)) {
            Path best = model.resolve(Distiller.CHECKPOINT_DIR).resolve(Distiller.BEST);
            if (!Files.isRegularFile(best)) {
                throw new IllegalArgumentException("--model " + model + " is a directory without "
                        + Distiller.CHECKPOINT_DIR + "/" + Distiller.BEST + " (not a run directory, or no epoch "
                        + "completed yet)");
            }
            return best;
        }
        if (!Files.isRegularFile(model)) {
            throw new IllegalArgumentException("--model " + model + ": no such file or run directory");
        }
        return model;
    }

    /** @return the dataset's class names, or the class numbers when it has none */
    private static List<String> classNames(ImageDataset data) {
        return data.classNames().size() == data.numClasses() ? data.classNames()
                : IntStream.range(0, data.numClasses()).mapToObj(Integer::toString).toList();
    }
}
