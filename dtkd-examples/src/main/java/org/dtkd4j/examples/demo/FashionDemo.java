package org.dtkd4j.examples.demo;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dtkd4j.core.config.CeConfig;
import org.dtkd4j.core.config.DistillationConfig;
import org.dtkd4j.core.config.DtkdConfig;
import org.dtkd4j.core.config.KdConfig;
import org.dtkd4j.core.config.Method;
import org.dtkd4j.core.data.TrainTestSplit;
import org.dtkd4j.core.engine.Distiller;
import org.dtkd4j.core.engine.Progress;
import org.dtkd4j.core.engine.RunSummary;
import org.dtkd4j.core.engine.TrainingRecipe;
import org.dtkd4j.core.teacher.GraphTeacher;
import org.dtkd4j.core.teacher.Teacher;
import org.dtkd4j.examples.plot.ComparePlot;
import org.dtkd4j.examples.plot.RunPlots;
import org.dtkd4j.zoo.CifarZoo;
import org.dtkd4j.zoo.ZooSpec;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * The demo ({@code dtkd demo}): on a class-balanced Fashion-MNIST subset ({@link DemoData}), train a
 * {@value #TEACHER} teacher, then the same {@value #STUDENT} student three times, with {@link Method#NONE}
 * (cross-entropy only), {@link Method#KD} and {@link Method#DTKD}, with the same initial weights, data order,
 * augmentation and epochs; print a table of test top-1 and seconds; write one run directory per model with its
 * plots ({@link RunPlots}) and a plot comparing the students ({@link ComparePlot}).
 *
 * <p>The recipe is the reference's, shortened: SGD momentum 0.9, weight decay 5e-4, batch 64, learning rate 0.05,
 * multiplied by 0.1 at the reference's milestones (150, 180, 210 of 240 epochs) scaled to the run's epochs
 * ({@link #milestones}). The losses use the official defaults (KD: {@code T = 4}, CE 0.1, KD 0.9; DTKD:
 * {@code α = 3, β = 1, T = 4, γ = 1}) except DTKD's warmup, which is scaled the same way (the reference's 20 of
 * 240 epochs, at least 1: {@link #warmup}); a 20-epoch warmup would leave the distillation terms mostly off in a
 * few-epoch run. Test top-1 is that of the last epoch (no choice of epoch by test accuracy).
 *
 * <pre>{@code
 * DemoResult r = FashionDemo.run(DemoOptions.defaults().withOutDir(Path.of("runs/demo")));
 * r.student(Method.DTKD).orElseThrow().testTop1();
 * }</pre>
 */
public final class FashionDemo {

    /** The teacher's zoo model. */
    public static final String TEACHER = "resnet20";
    /** The students' zoo model. */
    public static final String STUDENT = "resnet8";
    /** Name of the comparison plot in the output directory. */
    public static final String COMPARE_PNG = "compare.png";
    /** The student methods, in training order. */
    public static final List<Method> METHODS = List.of(Method.NONE, Method.KD, Method.DTKD);

    /** The reference's schedule: learning-rate milestones and warmup over its 240 epochs. */
    private static final int[] REFERENCE_MILESTONES = {150, 180, 210};
    private static final int REFERENCE_EPOCHS = 240;
    private static final int REFERENCE_WARMUP = 20;

    private FashionDemo() {
    }

    /**
     * Runs the demo with progress on standard error and log lines on standard output.
     *
     * @param options what to train and where to write
     * @return the table's rows and the files written
     */
    public static DemoResult run(DemoOptions options) {
        return run(options, System.out, Progress.onStderr());
    }

    /**
     * Runs the demo.
     *
     * @param options  what to train and where to write
     * @param console  where the header, per-epoch log lines and the final table go
     * @param progress progress bars of every epoch and evaluation (teacher included)
     * @return the table's rows and the files written
     * @throws IllegalArgumentException if the output directory holds something other than a previous demo's runs
     */
    public static DemoResult run(DemoOptions options, PrintStream console, Progress progress) {
        long start = System.nanoTime();
        DemoData data = DemoData.load(options.fashionMnistDir(), options.trainPerClass(), options.testPerClass());
        TrainTestSplit split = data.split();
        int classes = split.train().numClasses();
        Path out = options.outDir();
        List<Path> runDirs = List.of(out.resolve("teacher-" + TEACHER), runDir(out, Method.NONE),
                runDir(out, Method.KD), runDir(out, Method.DTKD));
        clearPreviousDemo(out, runDirs);

        TrainingRecipe teacherRecipe = recipe(options.teacherEpochs(), options.seed());
        TrainingRecipe studentRecipe = recipe(options.studentEpochs(), options.seed());
        KdConfig kd = KdConfig.defaults();
        DtkdConfig d = DtkdConfig.defaults();
        DtkdConfig dtkd = new DtkdConfig(d.alpha(), d.beta(), d.temperature(), d.ceWeight(),
                warmup(options.studentEpochs()), d.detachTemperatures(), d.hazardPolicy());
        ZooSpec spec = ZooSpec.builder().numClasses(classes)
                .input(split.train().channels(), split.train().height(), split.train().width())
                .seed(options.seed()).build();

        console.printf(Locale.ROOT, "dtkd4j demo: distil a %s teacher into a %s student on Fashion-MNIST%n",
                TEACHER, STUDENT);
        console.printf(Locale.ROOT, "data: %s%n      %d training images (first %d per class), %d test images "
                        + "(first %d per class)%n", data.source(), split.train().size(), options.trainPerClass(),
                split.test().size(), options.testPerClass());
        console.printf(Locale.ROOT, "recipe: SGD momentum 0.9, weight decay 5e-4, batch 64, lr 0.05 x0.1 after "
                        + "epochs %s (teacher) / %s (students), seed %d; teacher %d epochs, students %d epochs each%n",
                describe(teacherRecipe.lrMilestones()), describe(studentRecipe.lrMilestones()), options.seed(),
                options.teacherEpochs(), options.studentEpochs());
        console.printf(Locale.ROOT, "losses: KD T=%s, CE weight %s, KD weight %s; DTKD alpha=%s, beta=%s, T=%s, "
                        + "gamma=%s, warmup %d epoch(s) (the reference's %d of %d epochs, scaled), %s%n",
                num(kd.temperature()), num(kd.ceWeight()), num(kd.kdWeight()), num(dtkd.alpha()), num(dtkd.beta()),
                num(dtkd.temperature()), num(dtkd.ceWeight()), dtkd.warmup(), REFERENCE_WARMUP, REFERENCE_EPOCHS,
                dtkd.hazardPolicy());
        console.printf(Locale.ROOT, "output: %s%n%n", out.toAbsolutePath().normalize());

        List<DemoResult.Row> rows = new ArrayList<>();
        Phases phases = new Phases(console, start, METHODS.size() + 1);
        phases.begin("teacher " + TEACHER + ", cross-entropy");
        ComputationGraph teacherNet = CifarZoo.build(TEACHER, spec);
        Distiller teacherRun = Distiller.builder().student(teacherNet).studentName(TEACHER).data(split)
                .loss(CeConfig.defaults()).recipe(teacherRecipe).runDirectory(runDirs.get(0)).progress(progress)
                .console(console).build();
        rows.add(row(TEACHER, "teacher", teacherRun.run(), phases.end(false)));
        // the trained teacher, rebuilt channels-last (the same function, faster inference) with its BatchNorm folded
        ComputationGraph channelsLast = CifarZoo.channelsLast(TEACHER, spec, teacherRun.student().params());
        try (Teacher teacher = GraphTeacher.foldingBatchNorm(channelsLast, TEACHER + " (demo teacher)")) {
            for (int i = 0; i < METHODS.size(); i++) {
                Method method = METHODS.get(i);
                DistillationConfig loss = switch (method) {
                    case NONE -> CeConfig.defaults();
                    case KD -> kd;
                    case DTKD -> dtkd;
                    default -> throw new IllegalStateException("the demo trains NONE, KD and DTKD, found " + method);
                };
                phases.begin("student " + STUDENT + ", " + method);
                RunSummary summary = Distiller.builder().student(CifarZoo.build(STUDENT, spec)).studentName(STUDENT)
                        .teacher(method.usesTeacher() ? teacher : null).data(split).loss(loss).recipe(studentRecipe)
                        .runDirectory(runDirs.get(i + 1)).progress(progress).console(console).build().run();
                rows.add(row(STUDENT, "student", summary, phases.end(true)));
            }
        }
        Path compare = out.resolve(COMPARE_PNG);
        ComparePlot.write(runDirs.subList(1, runDirs.size()), compare);
        DemoResult result = new DemoResult(data, rows, compare, (System.nanoTime() - start) / 1e9);
        printTable(console, result);
        return result;
    }

    /**
     * The reference's learning-rate milestones (150, 180, 210 of 240 epochs) scaled to {@code epochs}: each
     * rounded, kept if in {@code 1..epochs-1} and larger than the previous one.
     *
     * @param epochs the run's epochs, &gt;= 1
     * @return the milestones, e.g. {@code [4, 5]} for 6 epochs, {@code []} for 1
     */
    static int[] milestones(int epochs) {
        List<Integer> kept = new ArrayList<>();
        for (int m : REFERENCE_MILESTONES) {
            int scaled = (int) Math.round((double) m * epochs / REFERENCE_EPOCHS);
            if (scaled >= 1 && scaled < epochs && (kept.isEmpty() || scaled > kept.get(kept.size() - 1))) {
                kept.add(scaled);
            }
        }
        return kept.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * DTKD's warmup scaled to the run: the reference's 20 of 240 epochs, rounded, at least 1 (1 means the
     * distillation terms are fully on from the first epoch, as KD's).
     *
     * @param epochs the students' epochs, &gt;= 1
     * @return the warmup in epochs
     */
    static int warmup(int epochs) {
        return (int) Math.max(1, Math.round((double) REFERENCE_WARMUP * epochs / REFERENCE_EPOCHS));
    }

    private static TrainingRecipe recipe(int epochs, long seed) {
        return TrainingRecipe.reference().withEpochs(epochs).withLrMilestones(milestones(epochs)).withSeed(seed)
                .withCheckpointEvery(0);
    }

    private static Path runDir(Path out, Method method) {
        return out.resolve("student-" + STUDENT + "-" + method.name().toLowerCase(Locale.ROOT));
    }

    private static DemoResult.Row row(String model, String role, RunSummary summary, double seconds) {
        RunPlots.Output plots = RunPlots.write(summary.runDirectory());
        return new DemoResult.Row(model, role, summary.method(), summary.epochs(), summary.lastTop1(), seconds,
                summary.runDirectory(), plots.written());
    }

    /**
     * Removes the run directories and comparison plot of a previous demo in {@code out}, so that a second
     * {@code dtkd demo} starts afresh; refuses to touch a directory that is not a run directory.
     */
    private static void clearPreviousDemo(Path out, List<Path> runDirs) {
        for (Path dir : runDirs) {
            if (Files.exists(dir) && !Files.isRegularFile(dir.resolve(Distiller.CONFIG_FILE))) {
                throw new IllegalArgumentException("output directory " + out + " holds " + dir.getFileName()
                        + " which is not a run directory (no " + Distiller.CONFIG_FILE + "): choose another --out");
            }
        }
        try {
            for (Path dir : runDirs) {
                if (Files.exists(dir)) {
                    try (Stream<Path> files = Files.walk(dir)) {
                        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                            Files.delete(p);
                        }
                    }
                }
            }
            Files.deleteIfExists(out.resolve(COMPARE_PNG));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the previous demo's runs in " + out + ": " + e.getMessage(), e);
        }
    }

    private static void printTable(PrintStream console, DemoResult result) {
        console.println();
        console.printf(Locale.ROOT, "%-9s %-8s %-7s %6s %11s %9s%n", "model", "role", "method", "epochs",
                "test top-1", "seconds");
        for (DemoResult.Row r : result.rows()) {
            console.printf(Locale.ROOT, "%-9s %-8s %-7s %6d %10.2f%% %9.1f%n", r.model(), r.role(),
                    r.role().equals("teacher") ? "CE" : r.method().name(), r.epochs(), 100 * r.testTop1(),
                    r.seconds());
        }
        DemoResult.Row none = result.student(Method.NONE).orElseThrow();
        for (Method m : List.of(Method.KD, Method.DTKD)) {
            DemoResult.Row r = result.student(m).orElseThrow();
            double delta = 100 * (r.testTop1() - none.testTop1());
            console.printf(Locale.ROOT, "%s vs NONE: %+.2f points (%d test images: one image is %.2f points)%n", m,
                    delta, result.data().split().test().size(), 100.0 / result.data().split().test().size());
        }
        console.printf(Locale.ROOT, "test top-1 after the last epoch; data: %s%n", result.data().source());
        console.printf(Locale.ROOT, "run directories (metrics.csv, accuracy/losses/temperatures plots): %s%n",
                result.teacher().runDir().toAbsolutePath().normalize().getParent());
        console.printf(Locale.ROOT, "students compared: %s%n", result.comparePlot().toAbsolutePath().normalize());
        console.printf(Locale.ROOT, "total %s%n", clock(result.totalSeconds()));
    }

    private static String describe(int[] milestones) {
        return milestones.length == 0 ? "(none)"
                : String.join(",", IntStream.of(milestones).mapToObj(Integer::toString).toList());
    }

    private static String num(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    private static String clock(double seconds) {
        long s = Math.round(seconds);
        return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
    }

    /** Phase headers with the elapsed time and an estimate of the time left. */
    private static final class Phases {
        private final PrintStream console;
        private final long start;
        private final int total;
        private final List<Double> studentSeconds = new ArrayList<>();
        private int done;
        private long phaseStart;

        Phases(PrintStream console, long start, int total) {
            this.console = console;
            this.start = start;
            this.total = total;
        }

        void begin(String what) {
            phaseStart = System.nanoTime();
            double elapsed = (phaseStart - start) / 1e9;
            String eta = studentSeconds.isEmpty() ? "after the first student"
                    : "about " + clock((total - done) * studentSeconds.stream().mapToDouble(x -> x).average()
                    .orElseThrow());
            console.printf(Locale.ROOT, "== [%d/%d] %s  (elapsed %s, demo ETA %s)%n", done + 1, total, what,
                    clock(elapsed), eta);
        }

        double end(boolean student) {
            double seconds = (System.nanoTime() - phaseStart) / 1e9;
            done++;
            if (student) {
                studentSeconds.add(seconds);
            }
            return seconds;
        }
    }
}
