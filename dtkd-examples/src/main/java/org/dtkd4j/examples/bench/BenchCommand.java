package org.dtkd4j.examples.bench;

import org.dtkd4j.core.config.Method;
import org.dtkd4j.core.loss.Exponentials;
import org.dtkd4j.core.loss.FloatKd;
import org.dtkd4j.core.perf.FastKernels;
import org.dtkd4j.core.perf.FusedBatchNorm;
import org.dtkd4j.core.perf.NativeMemory;
import org.dtkd4j.core.teacher.Teacher;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;

/**
 * {@code dtkd bench}: loss forward+backward, full distillation steps and teacher inference, DL4J and PyTorch side by
 * side, measured in alternating rounds ({@link Rounds}) and printed as one table with medians, quartiles, paired
 * ratios with their 95% intervals and the verdicts of the speed targets ({@link Targets}); the machine, the thread
 * settings and the load before and after are stated, with a warning when the machine was not quiet
 * ({@link MachineState}). See the package documentation.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Benchmark the losses, distillation steps and teacher inference, DL4J and PyTorch side by side,",
            "in alternating rounds: medians with quartiles, paired ratios with 95%% intervals, target verdicts.",
            "Rows: loss fwd+bwd (closed form, DL4J loss, SameDiff), one step per method, teacher inference."})
public final class BenchCommand implements Runnable {

    @Spec
    private CommandSpec spec;

    @Option(names = "--quick", description = "a smoke run: warmup 1 (no more while the JIT compiles), 6 rounds, 2 "
            + "memory blocks, rows under 10 ms repeated to 10 ms per round")
    private boolean quick;

    @Option(names = "--warmup", description = "untimed passes over the rows before the rounds, each row computing "
            + "about as long as in a round, then more while the JIT compiles (default 2; --quick 1; 0: none)")
    private Integer warmup;

    @Option(names = "--rounds", description = "rounds; every row is timed once per round (default 20; --quick 6; "
            + "at least 6 for 95%% intervals)")
    private Integer rounds;

    @Option(names = "--iterations", defaultValue = "1", description = "fewest timed iterations of a row per round; "
            + "rows under 100 ms get more (default ${DEFAULT-VALUE})")
    private int iterations;

    @Option(names = "--epochs", description = "blocks of rounds after each of which memory is read (default 3; --quick 2)")
    private Integer epochs;

    @Option(names = "--batch", defaultValue = "64", description = "batch of steps and inference (default ${DEFAULT-VALUE})")
    private int batch;

    @Option(names = "--classes", defaultValue = "100", description = "classes of the models (default ${DEFAULT-VALUE})")
    private int classes;

    @Option(names = "--loss-sizes", defaultValue = "64x100,256x1000",
            description = "loss shapes NxC, comma-separated (default ${DEFAULT-VALUE})")
    private String lossSizes;

    @Option(names = "--pairs", defaultValue = "resnet32x4:resnet8x4,resnet56:resnet20",
            description = "teacher:student pairs, comma-separated; 'none' for no step rows (default ${DEFAULT-VALUE})")
    private String pairs;

    @Option(names = "--no-torch", description = "do not run the PyTorch side")
    private boolean noTorch;

    @Option(names = "--torch-malloc", defaultValue = "KEEP", description = "what the PyTorch process's glibc "
            + "malloc does with freed memory: KEEP (default: keeps it; PyTorch's step times then hold still between "
            + "processes) or GLIBC (glibc's defaults: the same step measured 111-203 ms in different processes)")
    private TorchBench.Malloc torchMalloc;

    @Option(names = "--python", defaultValue = "/usr/bin/python3",
            description = "interpreter for the PyTorch side (default ${DEFAULT-VALUE})")
    private Path python;

    @Option(names = "--out", description = "also write the results to this .json or .csv file")
    private Path out;

    @Option(names = "--profile", description = "after the table, show where the time of a DTKD step of the first "
            + "pair goes (DL4J: phases and ND4J ops, with the --levers; PyTorch: ops)")
    private boolean profile;

    @Option(names = "--levers", defaultValue = "none", description = "levers measured against the baseline in the "
            + "same rounds, comma-separated: conv-cache (student convolutions keep their activations for backprop: "
            + "one more step row per method), fused-bn (student BatchNorm on dtkd4j's fused kernel: one more step row "
            + "per method), bn-fold (teacher BatchNorm folded into its convolutions: one more teacher inference row), "
            + "channels-last (teacher built NHWC with the same parameters: one more teacher inference row, and one "
            + "with both teacher levers); with several, also one step row per method with all of them; default "
            + "${DEFAULT-VALUE}")
    private String levers;

    @Option(names = "--loop", paramLabel = "<method>", description = "instead of the table: after --warmup steps, "
            + "time --rounds steps of this method on the first pair with the --levers one after another, DL4J only, "
            + "and print each; a plain training loop to run under an external profiler (Java Flight Recorder; "
            + "ONEDNN_VERBOSE=1 prints oneDNN's primitives, docs/bench/onednn_summary.py sums them per step)")
    private Method loop;

    @Option(names = "--seed", defaultValue = "7", description = "seed of the random inputs and models (default ${DEFAULT-VALUE})")
    private long seed;

    /** Milliseconds during which the other processes' CPU use is sampled before and after the run. */
    private static final long BUSY_SAMPLE_MILLIS = 1000;

    @Override
    public void run() {
        BenchOptions options = options();
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter log = spec.commandLine().getErr();
        if (loop != null) {
            loop(options, loop, stdout);
            return;
        }
        int threads = Nd4j.getEnvironment().maxThreads();
        Optional<TorchBench> torch = noTorch ? Optional.empty() : TorchBench.open(options.python(), torchMalloc);
        String torchStatus = torch.map(t -> "PyTorch " + t.version() + " (" + t.python() + ", torch.set_num_threads("
                + threads + "), " + t.malloc().describe() + "), one process alive for the whole run, alternating "
                + "with DL4J in every round")
                .orElse(TorchBench.unavailableReason(options.python()));
        try (TorchBench.Server server = torch.map(t -> t.serve(options, threads)).orElse(null);
             StepBench steps = new StepBench(options)) {
            long self = ProcessHandle.current().pid();
            Map<Measurement.Side, LongSupplier> ticks = new EnumMap<>(Measurement.Side.class);
            ticks.put(Measurement.Side.DL4J, () -> MachineState.processTicks(self));
            if (server != null) {
                ticks.put(Measurement.Side.PYTORCH, () -> MachineState.processTicks(server.pid()));
            }
            Set<Long> ours = server == null ? Set.of(self) : Set.of(self, server.pid());
            Map<String, String> header = header(options, threads, quick);
            List<String> busyBefore = MachineState.busyProcesses(ours, BUSY_SAMPLE_MILLIS);
            header.put("load before", MachineState.loadAverage() + "; busy processes: "
                    + (busyBefore.isEmpty() ? "none" : String.join(", ", busyBefore)));
            // a smoke run (--quick) warms up for its passes only, whatever the JIT is doing
            Rounds rounds = new Rounds(options, ticks, quick ? () -> -1L : Rounds::compilationMillis);
            long[] machine0 = MachineState.machineTicks();
            long ours0 = ticksOf(ticks);
            Map<String, Long> faulting = new LinkedHashMap<>();
            faulting.put("the JVM", self);
            if (server != null) {
                faulting.put("the PyTorch process", server.pid());
            }
            long time0 = System.nanoTime();
            Map<String, Long> faults0 = faults(faulting);
            List<Measurement> rows = new ArrayList<>();
            LossBench losses = new LossBench(options);
            Map<String, Integer> warmups = new LinkedHashMap<>();
            for (BenchOptions.LossSize size : options.lossSizes()) {
                group("losses " + size, losses.rows(size), server, rounds, rows, warmups, log);
            }
            for (BenchOptions.ModelPair pair : options.pairs()) {
                Map<Set<Lever>, Teacher> teachers = new LinkedHashMap<>();
                try {
                    teachers.put(Set.of(), steps.teacher(pair.teacher(), Set.of()));
                    for (Set<Lever> variant : Lever.teacherVariants(options.levers())) {
                        teachers.put(variant, steps.teacher(pair.teacher(), variant));
                    }
                    group("steps and teacher inference " + pair, steps.rows(pair, teachers), server, rounds, rows, warmups,
                            log);
                } finally {
                    teachers.values().forEach(Teacher::close);
                }
            }
            long[] machine1 = MachineState.machineTicks();
            long ours1 = ticksOf(ticks);
            List<String> busyAfter = MachineState.busyProcesses(ours, BUSY_SAMPLE_MILLIS);
            double otherShare = machine0[0] < 0 || machine1[0] < 0 || ours0 < 0 || ours1 < 0 ? Double.NaN
                    : Math.max(0, (double) (machine1[0] - machine0[0] - (ours1 - ours0)) / (machine1[1] - machine0[1]));
            List<String> notes = notes(otherShare, busyAfter, rounds, server != null);
            notes.add("warmup passes: " + warmups.entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                    .collect(Collectors.joining(", ")));
            notes.add(faultNote(faults0, faults(faulting), (System.nanoTime() - time0) / 1e9));
            if (NativeMemory.notice().isPresent()) {
                notes.add("WARNING: the JVM's malloc does not keep the native memory it frees (see 'native memory' "
                        + "above): DL4J's step rows pay page faults that a run through ./dtkd does not.");
            }
            List<String> reasons = MachineState.notQuietReasons(otherShare, busyBefore, busyAfter,
                    rounds.idleShare(Measurement.Side.DL4J), rounds.idleShare(Measurement.Side.PYTORCH));
            notes.add(reasons.isEmpty() ? "The machine was quiet." : "WARNING: the machine was not quiet ("
                    + String.join("; ", reasons) + "): the timings measure the contention as much as the code.");
            BenchReport report = new BenchReport(header, rows, torchStatus, notes);
            report.print(stdout);
            if (out != null) {
                report.write(out);
                stdout.println("written: " + out);
            }
            boolean missed = report.comparisons().stream().anyMatch(c -> c.verdict() == Targets.Verdict.MISSED);
            if (profile && !options.pairs().isEmpty()) {
                BenchOptions.ModelPair first = options.pairs().get(0);
                int profiled = Math.max(2, Math.min(options.rounds(), 5));
                new StepProfile(steps, options).print(first, Method.DTKD, profiled, stdout);
                torch.ifPresent(t -> StepProfile.printTorch(t.profile(options, threads, first, profiled), first,
                        stdout));
            } else if (missed && !options.pairs().isEmpty()) {
                stdout.println("A target is missed: 'dtkd bench --profile' shows where the time of a step goes.");
            }
        } finally {
            torch.ifPresent(TorchBench::close);
        }
        stdout.flush();
    }

    /** The marker line after which {@link #loop} times its steps (what a profiler's log is cut at). */
    static final String LOOP_MARKER = "dtkd bench loop: timed steps begin";

    /** {@code --loop}: the warmup steps, then {@link #LOOP_MARKER}, then the timed steps, each printed. */
    private void loop(BenchOptions options, Method method, PrintWriter stdout) {
        if (options.pairs().isEmpty()) {
            throw new ParameterException(spec.commandLine(), "--loop needs a pair (--pairs), found none");
        }
        BenchOptions.ModelPair pair = options.pairs().get(0);
        try (StepBench steps = new StepBench(options);
             Teacher teacher = !method.usesTeacher() ? null
                     : steps.teacher(pair.teacher(), Lever.teacherLevers(options.levers()))) {
            Runnable step = steps.stepper(pair, method, teacher, options.levers());
            stdout.printf("dtkd bench loop: step %s %s%s, batch %d, %d warmup + %d timed steps%n", pair, method,
                    options.levers().isEmpty() ? "" : " " + Lever.suffix(options.levers()), options.batch(),
                    options.warmup(), options.rounds());
            stdout.flush();
            for (int i = 0; i < options.warmup(); i++) {
                step.run();
            }
            stdout.println(LOOP_MARKER);
            stdout.flush();
            double total = 0;
            for (int i = 1; i <= options.rounds(); i++) {
                long t0 = System.nanoTime();
                step.run();
                double ms = (System.nanoTime() - t0) / 1e6;
                total += ms;
                stdout.printf("step %d: %.1f ms%n", i, ms);
                stdout.flush();
            }
            stdout.printf("mean %.1f ms per step over %d steps%n", total / options.rounds(), options.rounds());
        }
        stdout.flush();
    }

    /**
     * Measures one group in rounds: the DL4J rows, each PyTorch counterpart right after the first DL4J row that
     * needs it; logs the medians as they come; then frees the PyTorch side's rows of the group.
     */
    private static void group(String name, List<Rounds.Planned> planned, TorchBench.Server server, Rounds rounds,
                              List<Measurement> rows, Map<String, Integer> warmups, PrintWriter log) {
        List<Rounds.Row> group = new ArrayList<>();
        Set<String> torchIds = new HashSet<>();
        for (Rounds.Planned p : planned) {
            group.add(p.row());
            if (server != null && torchIds.add(p.torch().id())) {
                group.add(server.row(p.torch(), "PyTorch " + p.torch().id(), p.row().samples));
            }
        }
        log.println("bench: " + name + ": " + group.size() + " rows in alternating rounds ...");
        log.flush();
        List<Measurement> measured = rounds.measure(group);
        warmups.put(name, rounds.lastWarmupPasses());
        log.println("bench: " + name + ": " + rounds.lastWarmupPasses() + " warmup passes");
        for (Measurement m : measured) {
            Stats.Summary s = m.summary();
            log.printf(Locale.ROOT, "bench:   %-45s %s ms (q1-q3 %s-%s)%n", m.side() == Measurement.Side.DL4J
                    ? m.label() : m.id(), BenchReport.significant(s.median()), BenchReport.significant(s.q1()),
                    BenchReport.significant(s.q3()));
        }
        log.flush();
        rows.addAll(measured);
        if (server != null) {
            server.dropAll(group);
        }
    }

    private static long ticksOf(Map<Measurement.Side, LongSupplier> ticks) {
        long sum = 0;
        for (LongSupplier t : ticks.values()) {
            long v = t.getAsLong();
            if (v < 0) {
                return -1;
            }
            sum += v;
        }
        return sum;
    }

    /** @return the minor page faults so far of each named process ({@code -1} where unreadable) */
    private static Map<String, Long> faults(Map<String, Long> pids) {
        Map<String, Long> out = new LinkedHashMap<>();
        pids.forEach((name, pid) -> out.put(name, MachineState.processFaults(pid)));
        return out;
    }

    /** @return the rate of minor page faults of each process between two readings {@code seconds} apart */
    static String faultNote(Map<String, Long> before, Map<String, Long> after, double seconds) {
        List<String> rates = new ArrayList<>();
        before.forEach((name, b) -> {
            long a = after.getOrDefault(name, -1L);
            rates.add(b < 0 || a < 0 ? name + " unknown" : String.format(Locale.ROOT, "%s %.0f a second", name,
                    (a - b) / seconds));
        });
        return "minor page faults during the rounds (pages mapped afresh, each a first write to fresh memory): "
                + String.join(", ", rates);
    }

    private static List<String> notes(double otherShare, List<String> busyAfter, Rounds rounds, boolean torch) {
        List<String> notes = new ArrayList<>();
        notes.add("load after: " + MachineState.loadAverage() + "; busy processes: "
                + (busyAfter.isEmpty() ? "none" : String.join(", ", busyAfter)));
        notes.add(Double.isNaN(otherShare) ? "CPU time of other processes during the rounds: unknown"
                : String.format(Locale.ROOT, "CPU time of other processes during the rounds: %.1f%% of the machine",
                100 * otherShare));
        if (torch) {
            notes.add(String.format(Locale.ROOT, "idle side while the other was timed: the PyTorch process used %s "
                            + "cores while DL4J computed, the JVM %s cores while PyTorch computed",
                    cores(rounds.idleShare(Measurement.Side.DL4J)), cores(rounds.idleShare(Measurement.Side.PYTORCH))));
        }
        return notes;
    }

    private static String cores(double v) {
        return v < 0 ? "unknown" : String.format(Locale.ROOT, "%.3f", v);
    }

    private BenchOptions options() {
        List<BenchOptions.LossSize> sizes = new ArrayList<>();
        for (String s : BenchOptions.items(lossSizes)) {
            sizes.add(BenchOptions.LossSize.parse(s));
        }
        List<BenchOptions.ModelPair> pairList = new ArrayList<>();
        if (!pairs.trim().equalsIgnoreCase("none")) {
            for (String p : BenchOptions.items(pairs)) {
                pairList.add(BenchOptions.ModelPair.parse(p));
            }
        }
        return new BenchOptions(warmup != null ? warmup : quick ? 1 : 2, rounds != null ? rounds : quick ? 6 : 20,
                iterations, quick ? 10 : 100, epochs != null ? epochs : loop != null ? 1 : quick ? 2 : 3, batch,
                classes, sizes, pairList,
                noTorch ? null : python, seed, Lever.parse(BenchOptions.items(levers)));
    }

    /** @param quick whether this is a smoke run (no warmup passes beyond {@code o.warmup()}) */
    private static Map<String, String> header(BenchOptions o, int threads, boolean quick) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("dtkd bench", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        h.put("machine", cpuModel() + ", " + Runtime.getRuntime().availableProcessors() + " CPUs visible to the JVM, "
                + System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        StringBuilder env = new StringBuilder();
        for (String v : List.of("OMP_NUM_THREADS", "OMP_WAIT_POLICY", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")) {
            env.append(", ").append(v).append('=').append(Optional.ofNullable(System.getenv(v)).orElse("unset"));
        }
        h.put("threads", threads + " (ND4J maxThreads; PyTorch gets the same)" + env);
        h.put("kernels", FastKernels.status());
        h.put("exponentials", Exponentials.kernel());
        h.put("float32 losses", "KD and the cross-entropy alone on float32 networks, " + FloatKd.kernel());
        h.put("fused BatchNorm", FusedBatchNorm.kernel());
        h.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version") + ", max heap "
                + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MB");
        h.put("memory", MachineState.memory());
        h.put("native memory", "JVM: " + NativeMemory.status());
        String extra = quick ? "" : String.format(Locale.ROOT, " and up to %d more while the JIT compiles for %.0f%% or "
                + "more of a pass", Rounds.MAX_EXTRA_WARMUP_PASSES, 100 * Rounds.JIT_QUIET_SHARE);
        h.put("settings", String.format(Locale.ROOT, "warmup %d passes%s, %d rounds (order reversed every other round), at "
                        + "least %d timed iteration(s) per row per round (rows under %.0f ms repeated to that), memory read after %d "
                        + "blocks, batch %d, "
                        + "%d classes, 3x32x32 random data, float32 models, seed %d, levers %s", o.warmup(), extra, o.rounds(),
                o.iterations(), o.minRoundMs(), o.epochs(), o.batch(), o.classes(), o.seed(), o.levers().isEmpty() ? "none"
                        : o.levers().stream().map(Lever::option).toList()));
        return h;
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            return "CPU model unknown (" + e.getMessage() + ")";
        }
        return "CPU model unknown";
    }
}
