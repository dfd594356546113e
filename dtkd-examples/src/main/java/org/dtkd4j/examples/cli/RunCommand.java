package org.dtkd4j.examples.cli;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dtkd4j.core.data.TrainTestSplit;
import org.dtkd4j.core.engine.Distiller;
import org.dtkd4j.core.engine.Progress;
import org.dtkd4j.core.engine.RunSummary;
import org.dtkd4j.core.teacher.Teacher;
import org.dtkd4j.examples.config.ExperimentConfig;
import org.dtkd4j.examples.plot.RunPlots;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * A training run of the engine ({@link Distiller}) from an experiment configuration: {@code train} (one model alone)
 * and {@code distill} (teacher to student). Everything is validated before the run directory is created: the
 * configuration, the run directory (no checkpoint in it yet), the data files, the student (built from the zoo for the
 * data's classes and image shape) and, for {@code distill}, the teacher (loaded, with the data's class count, and run
 * on two test images), and last the engine's options ({@code DTKD4J.AUGMENTATION},
 * {@code DTKD4J.CACHE_TEACHER_LOGITS}, {@code DTKD4J.WORKERS}: their combination is checked by
 * {@link Distiller.Builder#build()} before it writes anything). The merged configuration is saved as
 * {@value RunSetup#EXPERIMENT_FILE} in the run directory, and the run's plots ({@link RunPlots}) are drawn when it
 * ends.
 */
public abstract class RunCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ExperimentOptions experiment;

    @Option(names = "--epochs", paramLabel = "N", description = "sets SOLVER.EPOCHS")
    Integer epochs;

    @Option(names = "--run-dir", paramLabel = "DIR", description = "sets DTKD4J.RUN_DIR (default: "
            + "LOG.PREFIX/EXPERIMENT.PROJECT/<EXPERIMENT.NAME or EXPERIMENT.TAG>, as the reference)")
    String runDir;

    @Option(names = "--workers", paramLabel = "N", description = "sets DTKD4J.WORKERS: data-parallel training on N "
            + "workers (DL4J's ParallelWrapper; on CUDA one GPU per worker in turn, on the CPU they share the cores)")
    Integer workers;

    @Option(names = "--resume", paramLabel = "RUN_DIR", description = "continue a killed run from its latest "
            + "checkpoint, with its saved " + RunSetup.EXPERIMENT_FILE + " (or --cfg) and the loss, recipe, "
            + "augmentation, teacher-logit cache and workers of its config.json")
    Path resume;

    /** @return whether this command trains against a teacher */
    abstract boolean distills();

    /**
     * @param cfg the merged configuration
     * @return the configuration this command runs, e.g. with {@code DISTILLER.TYPE NONE}
     * @throws IllegalArgumentException if the configuration does not suit the command
     */
    protected abstract ExperimentConfig adapt(ExperimentConfig cfg);

    /**
     * Hands the built or resumed engine to a subclass just before it runs, e.g. to train its epochs elsewhere
     * ({@link Distiller#trainEpochsWith}); this class runs it as it is.
     *
     * @param distiller the engine, positioned at its first epoch to train
     * @param cfg       the run's configuration
     * @param console   where log lines go
     * @return the engine to run
     */
    protected Distiller beforeRun(Distiller distiller, ExperimentConfig cfg, PrintStream console) {
        return distiller;
    }

    /** @return further shortcut options as {@code KEY VALUE} pairs */
    List<String> moreShortcuts() {
        return List.of();
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintStream console = WriterStream.of(out);
        Progress progress = new Progress(WriterStream.of(spec.commandLine().getErr()), System.console() != null, 30,
                System::nanoTime);
        ExperimentConfig cfg = adapt(config());
        Path dir = cfg.runDirectory();
        if (resume == null) {
            RunSetup.requireNewRunDirectory(dir);
        }
        if (distills()) {
            RunSetup.teacherFile(cfg);
        }
        try (NativeThreads threads = NativeThreads.limit(cfg.extensions().threads())) {
            TrainTestSplit data = RunSetup.data(cfg);
            Distiller distiller;
            try (Teacher teacher = distills() ? RunSetup.teacher(cfg, data, console) : null) {
                if (resume != null) {
                    distiller = Distiller.resume(dir, teacher, data, progress, console);
                } else {
                    ComputationGraph student = RunSetup.student(cfg.distiller().student(), data.train(),
                            cfg.recipe().seed());
                    distiller = RunSetup.newRun(cfg, student, teacher, data, progress, console);
                    RunSetup.saveExperiment(cfg, dir);
                }
                console.println(threads.describe());
                RunSummary summary = beforeRun(distiller, cfg, console).run();
                RunPlots.Output plots = RunPlots.write(dir);
                out.printf(Locale.ROOT, "run directory: %s%n", dir);
                out.printf(Locale.ROOT, "%s: best test top-1 %.2f%% (epoch %d), last %.2f%%, epochs %d%n",
                        summary.method(), 100 * summary.bestTop1(), summary.bestEpoch(), 100 * summary.lastTop1(),
                        summary.epochs());
                plots.written().forEach(p -> out.println("plot: " + p));
                if (distills()) {
                    plots.skipped().forEach(s -> out.println("plot: " + s));
                }
            }
        }
        return 0;
    }

    /** The configuration: of the file, or for {@code --resume} of the run's saved one, with the options applied. */
    private ExperimentConfig config() {
        List<String> shortcuts = new ArrayList<>(experiment.shortcuts());
        RunSetup.addIfSet(shortcuts, "SOLVER.EPOCHS", epochs);
        RunSetup.addIfSet(shortcuts, "DTKD4J.RUN_DIR", runDir);
        RunSetup.addIfSet(shortcuts, "DTKD4J.WORKERS", workers);
        shortcuts.addAll(moreShortcuts());
        if (resume == null) {
            if (experiment.cfg == null) {
                throw new IllegalArgumentException("missing --cfg FILE (an experiment YAML such as "
                        + "configs/cifar100/dtkd/res56_res20.yaml), or --resume RUN_DIR");
            }
            return RunSetup.config(experiment.cfg, shortcuts, experiment.overrides);
        }
        if (epochs != null || runDir != null || workers != null) {
            throw new IllegalArgumentException("--resume continues " + resume + " with the recipe, workers and "
                    + "directory it started with: leave out " + (epochs != null ? "--epochs"
                    : runDir != null ? "--run-dir" : "--workers"));
        }
        if (!Files.isDirectory(resume)) {
            throw new IllegalArgumentException("--resume " + resume + ": no such run directory");
        }
        Path saved = resume.resolve(RunSetup.EXPERIMENT_FILE);
        if (experiment.cfg == null && !Files.isRegularFile(saved)) {
            throw new IllegalArgumentException("--resume " + resume + ": no " + RunSetup.EXPERIMENT_FILE
                    + " in it (a run not started by this command line): give its configuration with --cfg");
        }
        return RunSetup.config(experiment.cfg != null ? experiment.cfg : saved, shortcuts, experiment.overrides)
                .withOverrides(List.of("DTKD4J.RUN_DIR", resume.toString()));
    }
}
