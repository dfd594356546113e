package org.dtkd4j.examples.cli;

import org.dtkd4j.core.config.Method;
import org.dtkd4j.examples.config.ExperimentConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code dtkd distill}: distils the teacher of {@code DTKD4J.TEACHER_WEIGHTS} into the zoo student
 * {@code DISTILLER.STUDENT} with the loss of {@code DISTILLER.TYPE} (any {@link Method} with a teacher) and its
 * section's values, as the reference's {@code train.py}.
 */
@Command(name = "distill", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Distil a teacher into a student with the config's method (DISTILLER.TYPE, e.g. KD, DKD or "
                + "DTKD) and recipe (SOLVER.*).",
                "The teacher is DTKD4J.TEACHER_WEIGHTS (--teacher): .onnx (a PyTorch export of the zoo's "
                        + "DISTILLER.TEACHER runs as a native graph; other models are imported), .zip (DL4J, e.g. a "
                        + "train run's checkpoints/best.zip) or .h5 (Keras)."},
        footer = {"", "Example: dtkd distill --cfg configs/cifar100/dtkd/res32x4_res8x4.yaml --teacher "
                + "resnet32x4.onnx --dataset-dir data/cifar-100-binary SOLVER.EPOCHS 240"})
public class DistillCommand extends RunCommand {

    @Option(names = "--teacher", paramLabel = "FILE", description = "sets DTKD4J.TEACHER_WEIGHTS")
    String teacher;

    @Override
    boolean distills() {
        return true;
    }

    @Override
    List<String> moreShortcuts() {
        List<String> pairs = new ArrayList<>();
        RunSetup.addIfSet(pairs, "DTKD4J.TEACHER_WEIGHTS", teacher);
        return pairs;
    }

    @Override
    protected ExperimentConfig adapt(ExperimentConfig cfg) {
        if (cfg.method() == Method.NONE) {
            List<String> methods = Arrays.stream(Method.values()).filter(Method::usesTeacher).map(Method::name)
                    .toList();
            throw new IllegalArgumentException("distill needs DISTILLER.TYPE "
                    + String.join(", ", methods.subList(0, methods.size() - 1)) + " or "
                    + methods.get(methods.size() - 1)
                    + ", found " + cfg.distiller().type() + " (to train a model alone use: dtkd train)");
        }
        return cfg;
    }
}
