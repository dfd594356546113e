package org.dtkd4j.examples.cli;

import org.dtkd4j.core.config.Method;
import org.dtkd4j.examples.config.ExperimentConfig;
import org.dtkd4j.zoo.CifarZoo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.LongStream;

/**
 * {@code dtkd study}: a seeded accuracy study. Trains the teacher once ({@code DISTILLER.TEACHER} of the zoo, with
 * cross-entropy) or takes {@code --teacher FILE}, then every method of {@code --methods} once per seed, each run
 * through the engine as {@code dtkd distill} (or {@code dtkd train} for {@code NONE}) would run it; prints one table
 * and draws one plot ({@link Study}). Everything is checked before the study directory is written: the options, the
 * configuration, the data, the models, the teacher file and the engine's options. A killed study continues where it
 * stopped when the same command is run again.
 */
@Command(name = "study", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"A seeded accuracy study: train the teacher once (DISTILLER.TEACHER, cross-entropy) or take "
                + "--teacher FILE, then each method of --methods for each of --seeds seeds, with the same initial "
                + "weights and data order per seed across methods; print a table (mean ± sd over seeds of the best "
                + "and last test top-1, the paired difference to the baseline with its 95% t-interval, the mean "
                + "temperatures) and plot the test top-1 per epoch (mean ± 1 sd per method).",
                "The study directory (--out) gets study.json, experiment.yaml, teacher-<model>/, one run directory "
                        + "<method>-seed<s>/ per run (the layout of distill), runs.csv, table.csv, table.txt and "
                        + "accuracy.png. Run the same command again to continue a killed study: finished runs are "
                        + "kept, an interrupted one resumes from its last epoch."},
        footer = {"", "Example: dtkd study --cfg configs/fashion_mnist/study_res20_res8.yaml "
                + "--methods NONE,KD,DKD,DTKD,DTKD_DKD --seeds 3"})
final class StudyCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ExperimentOptions experiment;

    @Option(names = "--methods", split = ",", paramLabel = "M[,M...]",
            description = "the methods to compare, any of ${COMPLETION-CANDIDATES} (any case; default: all)",
            completionCandidates = StudyCommand.MethodNames.class)
    List<String> methods;

    @Option(names = "--seeds", paramLabel = "N", defaultValue = "3",
            description = "runs per method, with seeds DTKD4J.SEED, DTKD4J.SEED + 1, ... (default: ${DEFAULT-VALUE})")
    int seeds;

    @Option(names = "--baseline", paramLabel = "M", description = "the method the others are compared with "
            + "(default: KD if among --methods, else no comparison)")
    String baseline;

    @Option(names = "--teacher", paramLabel = "FILE", description = "use this teacher (sets DTKD4J.TEACHER_WEIGHTS: "
            + ".onnx, .zip or .h5) instead of training DISTILLER.TEACHER")
    String teacher;

    @Option(names = "--teacher-epochs", paramLabel = "N", description = "epochs of the teacher trained by the study "
            + "(default: SOLVER.EPOCHS)")
    Integer teacherEpochs;

    @Option(names = "--epochs", paramLabel = "N", description = "sets SOLVER.EPOCHS")
    Integer epochs;

    @Option(names = "--train-subset", paramLabel = "N", description = "train on the first N training images (sets "
            + "DTKD4J.TRAIN_SUBSET, clears DTKD4J.TRAIN_PER_CLASS)")
    Integer trainSubset;

    @Option(names = "--train-per-class", paramLabel = "N", description = "train on the first N training images of "
            + "each class (sets DTKD4J.TRAIN_PER_CLASS, clears DTKD4J.TRAIN_SUBSET)")
    Integer trainPerClass;

    @Option(names = "--out", paramLabel = "DIR", description = "the study directory (default: DTKD4J.RUN_DIR, else "
            + "LOG.PREFIX/EXPERIMENT.PROJECT/<EXPERIMENT.NAME or EXPERIMENT.TAG>)")
    Path out;

    @Override
    public Integer call() {
        List<Method> chosen = parseMethods(methods);
        if (seeds < 1) {
            throw new IllegalArgumentException("--seeds must be >= 1, found " + seeds);
        }
        Optional<Method> base = baseline(chosen);
        if (teacherEpochs != null && teacherEpochs < 1) {
            throw new IllegalArgumentException("--teacher-epochs must be >= 1, found " + teacherEpochs);
        }
        if (teacherEpochs != null && teacher != null) {
            throw new IllegalArgumentException("--teacher-epochs sets the epochs of the teacher the study trains: "
                    + "leave it out with --teacher " + teacher);
        }
        if (trainSubset != null && trainPerClass != null) {
            throw new IllegalArgumentException("--train-subset and --train-per-class select the training images in "
                    + "two ways: give one, found both");
        }
        if (experiment.cfg == null) {
            throw new IllegalArgumentException("missing --cfg FILE (an experiment YAML such as "
                    + "configs/fashion_mnist/study_res20_res8.yaml)");
        }
        ExperimentConfig cfg = RunSetup.config(experiment.cfg, shortcuts(), experiment.overrides);
        Path dir = out != null ? out : cfg.runDirectory();
        boolean needsTeacher = chosen.stream().anyMatch(Method::usesTeacher);
        Optional<Path> teacherFile = Optional.empty();
        if (teacher != null) {
            teacherFile = Optional.of(RunSetup.teacherFile(cfg));
        } else if (needsTeacher && !CifarZoo.names().contains(cfg.distiller().teacher())) {
            throw new IllegalArgumentException("DISTILLER.TEACHER must be a model of CifarZoo.names() for the study "
                    + "to train it, found '" + cfg.distiller().teacher() + "' (or give --teacher FILE); valid: "
                    + CifarZoo.names());
        }
        int teacherRunEpochs = teacherEpochs != null ? teacherEpochs : cfg.solver().epochs();
        long first = cfg.recipe().seed();
        List<Long> seedList = LongStream.range(first, first + seeds).boxed().toList();
        Study.Plan plan = new Study.Plan(cfg, dir, chosen, seedList, base, needsTeacher, teacherFile,
                teacherRunEpochs);
        return new Study(plan, spec.commandLine().getOut(), spec.commandLine().getErr()).run();
    }

    /** The shortcut options as {@code KEY VALUE} pairs, after those of {@link ExperimentOptions}. */
    private List<String> shortcuts() {
        List<String> pairs = new ArrayList<>(experiment.shortcuts());
        RunSetup.addIfSet(pairs, "SOLVER.EPOCHS", epochs);
        RunSetup.addIfSet(pairs, "DTKD4J.TEACHER_WEIGHTS", teacher);
        if (trainSubset != null) {
            pairs.addAll(List.of("DTKD4J.TRAIN_SUBSET", trainSubset.toString(), "DTKD4J.TRAIN_PER_CLASS", "0"));
        }
        if (trainPerClass != null) {
            pairs.addAll(List.of("DTKD4J.TRAIN_PER_CLASS", trainPerClass.toString(), "DTKD4J.TRAIN_SUBSET", "0"));
        }
        return pairs;
    }

    /** The method names of the registry, for the help text. */
    static final class MethodNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return Arrays.stream(Method.values()).map(Method::name).iterator();
        }
    }

    /**
     * @param names the {@code --methods} values, or null for all
     * @return the methods, in the order given
     * @throws IllegalArgumentException for an unknown or repeated name
     */
    static List<Method> parseMethods(List<String> names) {
        if (names == null) {
            return List.of(Method.values());
        }
        List<Method> parsed = new ArrayList<>();
        for (String name : names) {
            Method m = method("--methods", name);
            if (parsed.contains(m)) {
                throw new IllegalArgumentException("--methods lists " + m + " twice, found " + names);
            }
            parsed.add(m);
        }
        return List.copyOf(parsed);
    }

    private Optional<Method> baseline(List<Method> chosen) {
        if (baseline == null) {
            return chosen.contains(Method.KD) ? Optional.of(Method.KD) : Optional.empty();
        }
        Method m = method("--baseline", baseline);
        if (!chosen.contains(m)) {
            throw new IllegalArgumentException("--baseline " + m + " is not among --methods " + chosen);
        }
        return Optional.of(m);
    }

    private static Method method(String option, String name) {
        String upper = name.trim().toUpperCase(Locale.ROOT);
        return Arrays.stream(Method.values()).filter(m -> m.name().equals(upper)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(option + ": unknown method '" + name + "', expected "
                        + "one of " + Arrays.toString(Method.values())));
    }
}
