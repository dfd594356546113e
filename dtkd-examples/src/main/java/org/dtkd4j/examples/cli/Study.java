package org.dtkd4j.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.dtkd4j.core.config.Method;
import org.dtkd4j.core.data.TrainTestSplit;
import org.dtkd4j.core.engine.AtomicFiles;
import org.dtkd4j.core.engine.Distiller;
import org.dtkd4j.core.engine.Progress;
import org.dtkd4j.core.teacher.GraphTeacher;
import org.dtkd4j.core.teacher.Teacher;
import org.dtkd4j.examples.config.ExperimentConfig;
import org.dtkd4j.examples.plot.MetricsTable;
import org.dtkd4j.examples.plot.RunPlots;
import org.dtkd4j.examples.plot.StudyPlot;
import org.dtkd4j.examples.study.RunResult;
import org.dtkd4j.examples.study.StudyTable;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.DoubleStream;
import java.util.stream.Stream;

/**
 * Runs a seeded accuracy study ({@code dtkd study}, {@link StudyCommand}) in its directory:
 * <pre>
 *   study.json              the study's configuration and teacher, checked when the study is run again
 *   experiment.yaml         the merged configuration (the runs' own differ in method, seed and directory)
 *   initial-weights/        MODEL-seedS.zip: the initial student of each seed, shared by its methods
 *   teacher-MODEL/          the teacher's run (cross-entropy), unless --teacher FILE; the students use its
 *                           checkpoints/latest.zip, the teacher after its last epoch
 *   METHOD-seedS/           one run per method and seed, the layout of distill (train for NONE): config.json,
 *                           experiment.yaml, metrics.csv, summary.json, train.log, checkpoints/, plots, and
 *                           initial-params.sha256 (SHA-256 of the student's initial parameters)
 *   runs.csv, table.csv     per run and per method numbers ({@link StudyTable#runsCsv()}, {@link StudyTable#methodsCsv()})
 *   table.txt               the printed table with its header
 *   accuracy.png            test top-1 per epoch, mean ± 1 sd over the seeds per method ({@link StudyPlot})
 * </pre>
 * Runs go seed by seed, each seed through every method, so a study cut short still holds complete paired seeds.
 * The run of method {@code m} and seed {@code s} is the configuration with {@code DISTILLER.TYPE m},
 * {@code DTKD4J.SEED s} and its directory: its student is the zoo model initialised from seed {@code s} and its data
 * order and augmentation follow {@code s}. The initial student of a seed is built once and saved in
 * {@code initial-weights/}, so every method of a seed starts from the same weights (the fingerprints in
 * {@code initial-params.sha256} show it) and sees the same batches.
 *
 * <p>Resume: a run whose {@code summary.json} exists is finished and kept; one with
 * {@code checkpoints/latest.zip} continues from it ({@link Distiller#resume}); any other starts afresh. The table is
 * computed from the runs' {@code metrics.csv}, so it is the same whether or not the study was interrupted.
 */
final class Study {

    /** The study's configuration and teacher, in the study directory. */
    static final String PLAN_FILE = "study.json";
    /** Per-run numbers. */
    static final String RUNS_CSV = "runs.csv";
    /** Per-method numbers. */
    static final String TABLE_CSV = "table.csv";
    /** The printed table. */
    static final String TABLE_TXT = "table.txt";
    /** The comparison plot. */
    static final String PLOT = "accuracy.png";
    /** Directory of the initial students of each seed, in the study directory. */
    static final String INITIAL_DIR = "initial-weights";
    /** SHA-256 of a run's initial student parameters, in its run directory. */
    static final String INITIAL_PARAMS = "initial-params.sha256";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * What to run.
     *
     * @param cfg           the merged configuration
     * @param dir           the study directory
     * @param methods       the methods, in table order
     * @param seeds         the seeds
     * @param baseline      the method the others are compared with, if any
     * @param needsTeacher  whether a method uses a teacher
     * @param teacherFile   the given teacher, or empty to train {@code DISTILLER.TEACHER}
     * @param teacherEpochs epochs of the trained teacher
     */
    record Plan(ExperimentConfig cfg, Path dir, List<Method> methods, List<Long> seeds, Optional<Method> baseline,
                boolean needsTeacher, Optional<Path> teacherFile, int teacherEpochs) {
    }

    /**
     * One run of the study.
     *
     * @param title   e.g. {@code DTKD seed 1}
     * @param cfg     its configuration (directory, method, seed)
     * @param student whether it is a student run (else the teacher's)
     */
    private record Run(String title, ExperimentConfig cfg, boolean student) {
        Path dir() {
            return cfg.runDirectory();
        }
    }

    private final Plan plan;
    private final PrintWriter out;
    private final PrintStream console;
    private final Progress progress;
    private final long start = System.nanoTime();
    private double studentSeconds;
    private int studentEpochs;

    Study(Plan plan, PrintWriter out, PrintWriter err) {
        this.plan = plan;
        this.out = out;
        this.console = WriterStream.of(out);
        this.progress = new Progress(WriterStream.of(err), System.console() != null, 30, System::nanoTime);
    }

    /**
     * Checks everything, then runs what is left of the study and prints its table.
     *
     * @return the exit code, 0
     * @throws IllegalArgumentException naming the bad input, before anything is written
     */
    int run() {
        Path dir = plan.dir().toAbsolutePath().normalize();
        ExperimentConfig base = plan.cfg().withOverrides(List.of("DTKD4J.RUN_DIR", dir.toString(),
                "DTKD4J.DATASET_DIR", absolute(RunSetup.datasetDirectory(plan.cfg())),
                "DTKD4J.TEACHER_WEIGHTS", plan.teacherFile().map(Study::absolute).orElse("")));
        String planJson = planJson(base);
        requireStudyDirectory(dir, planJson);
        Optional<Run> teacherRun = plan.needsTeacher() && plan.teacherFile().isEmpty()
                ? Optional.of(teacherRun(base, dir)) : Optional.empty();
        Optional<Path> teacherFile = teacherRun.map(r -> r.dir().resolve(Distiller.CHECKPOINT_DIR)
                .resolve(Distiller.LATEST)).or(plan::teacherFile);
        List<Run> students = new ArrayList<>();
        for (long seed : plan.seeds()) {
            for (Method m : plan.methods()) {
                students.add(studentRun(base, dir, m, seed, teacherFile));
            }
        }
        try (NativeThreads threads = NativeThreads.limit(base.extensions().threads())) {
            TrainTestSplit data = RunSetup.data(base);
            try (Teacher given = plan.needsTeacher() && plan.teacherFile().isPresent()
                    ? RunSetup.teacher(base, data, console) : null) {
                check(teacherRun, students, data, given);
                AtomicFiles.writeString(dir.resolve(PLAN_FILE), planJson);
                AtomicFiles.writeString(dir.resolve(RunSetup.EXPERIMENT_FILE),
                        "# dtkd study: the merged configuration of this study\n" + base.toYaml());
                if (threads.threads() > 0) {
                    console.println("compute threads: " + threads.threads() + " (DTKD4J.THREADS)");
                }
                List<Run> all = new ArrayList<>();
                teacherRun.ifPresent(all::add);
                all.addAll(students);
                Teacher trained = null;
                try {
                    for (int i = 0; i < all.size(); i++) {
                        Run run = all.get(i);
                        Teacher teacher = !run.student() || !run.cfg().method().usesTeacher() ? null
                                : given != null ? given : trained;
                        execute(run, i, all, data, teacher);
                        if (!run.student()) {
                            trained = RunSetup.teacher(base.withOverrides(List.of("DTKD4J.TEACHER_WEIGHTS",
                                    absolute(teacherFile.orElseThrow()))), data, console);
                        }
                    }
                } finally {
                    if (trained != null) {
                        trained.close();
                    }
                }
                report(dir, data, teacherRun, students);
            }
        }
        return 0;
    }

    /** The teacher's run: {@code DISTILLER.TEACHER} trained alone with cross-entropy for the plan's epochs. */
    private Run teacherRun(ExperimentConfig base, Path dir) {
        String arch = base.distiller().teacher();
        return new Run("teacher " + arch, base.withOverrides(List.of("DISTILLER.TYPE", Method.NONE.name(),
                "DISTILLER.STUDENT", arch, "SOLVER.EPOCHS", Integer.toString(plan.teacherEpochs()),
                "DTKD4J.RUN_DIR", dir.resolve("teacher-" + arch).toString(), "DTKD4J.TEACHER_WEIGHTS", "",
                "DTKD4J.CACHE_TEACHER_LOGITS", "False")), false);
    }

    /** A student's run: the configuration with the method, the seed, the directory and the teacher file. */
    private static Run studentRun(ExperimentConfig base, Path dir, Method m, long seed, Optional<Path> teacherFile) {
        boolean teacher = m.usesTeacher();
        return new Run(m + " seed " + seed, base.withOverrides(List.of("DISTILLER.TYPE", m.name(),
                "DTKD4J.SEED", Long.toString(seed),
                "DTKD4J.RUN_DIR", dir.resolve(m.name().toLowerCase(Locale.ROOT) + "-seed" + seed).toString(),
                "DTKD4J.TEACHER_WEIGHTS", teacher ? teacherFile.map(Study::absolute).orElse("") : "",
                "DTKD4J.CACHE_TEACHER_LOGITS", Boolean.toString(teacher && base.extensions().cacheTeacherLogits()))),
                true);
    }

    /**
     * The study's identity: the teacher and the configuration, without the study directory (a study directory may be
     * moved and continued).
     */
    private String planJson(ExperimentConfig base) {
        ObjectNode o = JSON.createObjectNode();
        o.put("teacher", plan.teacherFile().map(f -> "file " + absolute(f))
                .orElse("trained " + base.distiller().teacher() + ", " + plan.teacherEpochs() + " epochs"));
        o.put("config", base.withOverrides(List.of("DTKD4J.RUN_DIR", "")).toYaml());
        try {
            return JSON.writeValueAsString(o);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    /**
     * The study directory must be new, empty, or hold a study of the same configuration and teacher (which this
     * one continues).
     */
    private static void requireStudyDirectory(Path dir, String planJson) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("study directory " + dir + " is a file, not a directory");
        }
        Path planFile = dir.resolve(PLAN_FILE);
        if (Files.isRegularFile(planFile)) {
            JsonNode before;
            JsonNode now;
            try {
                before = JSON.readTree(planFile.toFile());
                now = JSON.readTree(planJson);
            } catch (IOException e) {
                throw new IllegalArgumentException(planFile + ": not valid JSON: " + e.getMessage(), e);
            }
            if (!before.path("teacher").equals(now.path("teacher"))) {
                throw new IllegalArgumentException("study directory " + dir + " holds a study with teacher "
                        + before.path("teacher").asText() + ", found " + now.path("teacher").asText() + ": run it "
                        + "with the same teacher options, or choose another --out");
            }
            Map<String, Object> old = ExperimentConfig.parse(before.path("config").asText(), planFile.toString())
                    .values();
            Map<String, Object> cur = ExperimentConfig.parse(now.path("config").asText(), "the command line").values();
            for (Map.Entry<String, Object> e : cur.entrySet()) {
                if (!e.getValue().equals(old.get(e.getKey()))) {
                    throw new IllegalArgumentException("study directory " + dir + " holds a study with "
                            + e.getKey() + " " + old.get(e.getKey()) + ", found " + e.getValue() + ": continue it "
                            + "with the same configuration, or choose another --out");
                }
            }
            return;
        }
        if (Files.isDirectory(dir)) {
            try (Stream<Path> files = Files.list(dir)) {
                if (files.findAny().isPresent()) {
                    throw new IllegalArgumentException("study directory " + dir + " is not empty and holds no "
                            + PLAN_FILE + ": choose a new or empty --out");
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * Builds every kind of run once, in a temporary directory, so that the engine checks the models, the losses and
     * its options ({@link Distiller.Builder#build()}) before the study writes anything: the teacher's, and each
     * method's with the first seed (with an untrained teacher of the zoo if the study trains its own).
     */
    private void check(Optional<Run> teacherRun, List<Run> students, TrainTestSplit data, Teacher given) {
        Path tmp;
        try {
            tmp = Files.createTempDirectory("dtkd-study-check");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary directory: " + e.getMessage(), e);
        }
        PrintStream silent = new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
        Teacher untrained = null;
        try {
            List<Run> kinds = new ArrayList<>();
            teacherRun.ifPresent(kinds::add);
            kinds.addAll(students.subList(0, plan.methods().size()));
            for (Run run : kinds) {
                ExperimentConfig cfg = run.cfg().withOverrides(List.of("DTKD4J.RUN_DIR",
                        tmp.resolve(run.dir().getFileName()).toString()));
                Teacher teacher = null;
                if (run.student() && cfg.method().usesTeacher()) {
                    if (given == null && untrained == null) {
                        String arch = cfg.distiller().teacher();
                        untrained = GraphTeacher.of(RunSetup.student(arch, data.train(), cfg.recipe().seed()), arch);
                    }
                    teacher = given != null ? given : untrained;
                }
                RunSetup.newRun(cfg, RunSetup.student(cfg.distiller().student(), data.train(), cfg.recipe().seed()),
                        teacher, data, progress, silent);
            }
        } finally {
            if (untrained != null) {
                untrained.close();
            }
            deleteTree(tmp);
        }
    }

    /** Runs what is left of one run, or keeps it if finished. */
    private void execute(Run run, int index, List<Run> all, TrainTestSplit data, Teacher teacher) {
        Path dir = run.dir();
        String position = String.format(Locale.ROOT, "study [%d/%d] %s", index + 1, all.size(), run.title());
        if (Files.isRegularFile(dir.resolve(Distiller.SUMMARY_FILE))) {
            out.printf(Locale.ROOT, "%s: finished before, kept (%s)%n", position, dir);
            if (!Files.isRegularFile(dir.resolve(RunPlots.ACCURACY))) {
                RunPlots.write(dir);
            }
            return;
        }
        int done = completedEpochs(dir);
        out.printf(Locale.ROOT, "%s%s -> %s  (elapsed %s, ETA %s)%n", position,
                done > 0 ? ", resuming after epoch " + done : "", dir, clock(seconds()), eta(all.subList(index,
                        all.size())));
        long runStart = System.nanoTime();
        Distiller distiller;
        if (done > 0) {
            distiller = Distiller.resume(dir, teacher, data, progress, console);
        } else {
            ComputationGraph student = run.student() ? initialStudent(run, data)
                    : RunSetup.student(run.cfg().distiller().student(), data.train(), run.cfg().recipe().seed());
            String fingerprint = fingerprint(student);
            distiller = RunSetup.newRun(run.cfg(), student, teacher, data, progress, console);
            RunSetup.saveExperiment(run.cfg(), dir);
            AtomicFiles.writeString(dir.resolve(INITIAL_PARAMS), fingerprint + "\n");
        }
        int epochs = distiller.run().epochs() - done;
        RunPlots.write(dir);
        if (run.student()) {
            studentSeconds += (System.nanoTime() - runStart) / 1e9;
            studentEpochs += epochs;
        }
    }

    /**
     * The initial student of a run's seed: read from {@value #INITIAL_DIR}{@code /MODEL-seedS.zip} in the study
     * directory, or built from the zoo with the seed and saved there by the seed's first run. Every method of a seed
     * thus starts from the same parameters, in this process or a later one continuing the study: ND4J 1.0.0-M2.1's
     * random generator does not repeat its numbers after {@code setSeed} within a process, so building the model
     * again with the same seed would not give the same weights.
     */
    private ComputationGraph initialStudent(Run run, TrainTestSplit data) {
        String name = run.cfg().distiller().student();
        long seed = run.cfg().recipe().seed();
        Path file = plan.dir().toAbsolutePath().normalize().resolve(INITIAL_DIR).resolve(name + "-seed" + seed
                + ".zip");
        if (Files.isRegularFile(file)) {
            try {
                return ModelSerializer.restoreComputationGraph(file.toFile(), false);
            } catch (IOException | RuntimeException e) {
                throw new IllegalArgumentException("initial weights " + file + " cannot be restored: "
                        + e.getMessage(), e);
            }
        }
        ComputationGraph student = RunSetup.student(name, data.train(), seed);
        AtomicFiles.write(file, o -> ModelSerializer.writeModel(student, o, false));
        return student;
    }

    /** @return the estimated time left for {@code left}'s student epochs, from this process's student epochs */
    private String eta(List<Run> left) {
        if (studentEpochs == 0) {
            return "after the first student run";
        }
        long remaining = left.stream().filter(Run::student)
                .mapToLong(r -> r.cfg().solver().epochs() - completedEpochs(r.dir())).sum();
        return "about " + clock(remaining * studentSeconds / studentEpochs);
    }

    /** Prints and writes the table, the plot and the checks. */
    private void report(Path dir, TrainTestSplit data, Optional<Run> teacherRun, List<Run> students) {
        List<RunResult> results = new ArrayList<>();
        Map<String, List<Path>> byMethod = new LinkedHashMap<>();
        for (Run r : students) {
            Method m = r.cfg().method();
            results.add(RunResult.read(r.dir(), m, r.cfg().recipe().seed()));
            byMethod.computeIfAbsent(m.name(), k -> new ArrayList<>()).add(r.dir());
        }
        StudyTable table = StudyTable.of(plan.methods(), plan.seeds(), plan.baseline(), results);
        ExperimentConfig cfg = plan.cfg();
        ExperimentConfig.Solver solver = cfg.solver();
        StringBuilder text = new StringBuilder();
        text.append(String.format(Locale.ROOT, "study: %s%n", dir));
        text.append(String.format(Locale.ROOT, "data: %s, %d training / %d test images of %dx%dx%d%n",
                data.train().name(), data.train().size(), data.test().size(), data.train().channels(),
                data.train().height(), data.train().width()));
        text.append(String.format(Locale.ROOT, "students: %s, epochs %d, batch %d, SGD lr %s x%s after epochs %s, "
                        + "momentum %s, weight decay %s, augmentation %s%n", cfg.distiller().student(),
                solver.epochs(), solver.batchSize(), solver.lr(), solver.lrDecayRate(), solver.lrDecayStages(),
                solver.momentum(), solver.weightDecay(), cfg.extensions().augmentation()));
        for (Method m : plan.methods()) {
            text.append(String.format(Locale.ROOT, "  %s: %s%n", m,
                    students.stream().filter(r -> r.cfg().method() == m).findFirst().orElseThrow().cfg()
                            .distillation()));
        }
        text.append(teacherLine(teacherRun, students)).append('\n');
        text.append('\n').append(table.render());
        String fingerprints = fingerprintLine(students);
        text.append(fingerprints).append('\n');
        AtomicFiles.writeString(dir.resolve(RUNS_CSV), table.runsCsv());
        AtomicFiles.writeString(dir.resolve(TABLE_CSV), table.methodsCsv());
        AtomicFiles.writeString(dir.resolve(TABLE_TXT), text.toString());
        StudyPlot.write(byMethod, dir.resolve(PLOT));
        out.println();
        out.print(text);
        double trained = students.stream().mapToDouble(r -> DoubleStream.of(MetricsTable.read(r.dir())
                .column("epoch_seconds")).sum()).sum();
        out.printf(Locale.ROOT, "time: %s this invocation; the students' training epochs took %s in all "
                + "(metrics.csv epoch_seconds, evaluation and teacher excluded)%n", clock(seconds()), clock(trained));
        out.println("table: " + dir.resolve(TABLE_TXT) + " (and " + RUNS_CSV + ", " + TABLE_CSV + ")");
        out.println("plot: " + dir.resolve(PLOT));
    }

    private String teacherLine(Optional<Run> teacherRun, List<Run> students) {
        if (!plan.needsTeacher()) {
            return "teacher: none (no method uses one)";
        }
        Path any = students.stream().filter(r -> r.cfg().method().usesTeacher()).findFirst()
                .orElseThrow().dir().resolve(Distiller.SUMMARY_FILE);
        double top1;
        try {
            top1 = JSON.readTree(any.toFile()).path("teacher_top1").asDouble(Double.NaN);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + any + ": " + e.getMessage(), e);
        }
        String source = teacherRun.map(r -> r.cfg().distiller().student() + " trained by the study ("
                        + r.dir().getFileName() + ", epochs " + plan.teacherEpochs() + ", the model after the last one)")
                .orElseGet(() -> plan.teacherFile().orElseThrow().toString());
        return String.format(Locale.ROOT, "teacher: %s, test top-1 %.2f%%", source, 100 * top1);
    }

    /** @return whether each seed's runs started from the same parameters, by their {@value #INITIAL_PARAMS} */
    private String fingerprintLine(List<Run> students) {
        Map<Long, List<String>> bySeed = new LinkedHashMap<>();
        for (Run r : students) {
            Path file = r.dir().resolve(INITIAL_PARAMS);
            try {
                bySeed.computeIfAbsent(r.cfg().recipe().seed(), k -> new ArrayList<>())
                        .add(Files.readString(file, StandardCharsets.UTF_8).strip());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
            }
        }
        List<Long> differ = bySeed.entrySet().stream().filter(e -> e.getValue().stream().distinct().count() > 1)
                .map(Map.Entry::getKey).toList();
        return differ.isEmpty()
                ? "initial weights: identical across the methods of each seed (" + INITIAL_PARAMS + " in each run)"
                : "WARNING: the methods of seed(s) " + differ + " started from different weights (" + INITIAL_PARAMS
                + "): their differences are not paired";
    }

    /** @return the SHA-256 of the parameters' values as float64, in hex */
    static String fingerprint(ComputationGraph graph) {
        double[] values = graph.params().toDoubleVector();
        ByteBuffer bytes = ByteBuffer.allocate(8 * values.length);
        bytes.asDoubleBuffer().put(values);
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes.array()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
    }

    /** @return the epochs of the latest checkpoint of a run directory (the data rows of its metrics.csv), 0 if none */
    private static int completedEpochs(Path dir) {
        Path metrics = dir.resolve(Distiller.METRICS_FILE);
        if (!Files.isRegularFile(dir.resolve(Distiller.CHECKPOINT_DIR).resolve(Distiller.LATEST))
                || !Files.isRegularFile(metrics)) {
            return 0;
        }
        try (Stream<String> lines = Files.lines(metrics, StandardCharsets.UTF_8)) {
            return (int) lines.filter(l -> !l.isEmpty() && Character.isDigit(l.charAt(0))).count();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + metrics + ": " + e.getMessage(), e);
        }
    }

    private double seconds() {
        return (System.nanoTime() - start) / 1e9;
    }

    private static String clock(double seconds) {
        long s = Math.round(seconds);
        return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
    }

    private static String absolute(Path p) {
        return p.toAbsolutePath().normalize().toString();
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            root.toFile().deleteOnExit();
        }
    }
}
