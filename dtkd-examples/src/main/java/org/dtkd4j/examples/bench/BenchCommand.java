package org.dtkd4j.examples.bench;

import org.dtkd4j.core.config.Method;
import org.dtkd4j.core.perf.FastKernels;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code dtkd bench}: loss forward+backward, full distillation steps and teacher inference, DL4J and PyTorch side by
 * side, printed as one table with the target ratios under it (see the package documentation). The DL4J and
 * PyTorch measurements of each group (loss size, step pair, teacher inference) alternate, in one run.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Benchmark the losses, distillation steps and teacher inference, DL4J and PyTorch side by side.",
            "Rows: loss fwd+bwd (closed form, DL4J loss, SameDiff), one step per method, teacher inference."})
public final class BenchCommand implements Runnable {

    @Spec
    private CommandSpec spec;

    @Option(names = "--quick", description = "few iterations (warmup 1, 2 epochs of 2), for smoke tests")
    private boolean quick;

    @Option(names = "--warmup", description = "untimed iterations per row (default 3; --quick 1)")
    private Integer warmup;

    @Option(names = "--iterations", description = "timed iterations per epoch (default 5; --quick 2)")
    private Integer iterations;

    @Option(names = "--epochs", description = "epochs per row; memory is read after each (default 3; --quick 2)")
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

    @Option(names = "--python", defaultValue = "/usr/bin/python3",
            description = "interpreter for the PyTorch side (default ${DEFAULT-VALUE})")
    private Path python;

    @Option(names = "--out", description = "also write the results to this .json or .csv file")
    private Path out;

    @Option(names = "--profile", description = "after the table, show where the time of a DTKD step of the first "
            + "pair goes (DL4J: phases and ND4J ops; PyTorch: ops)")
    private boolean profile;

    @Option(names = "--seed", defaultValue = "7", description = "seed of the random inputs and models (default ${DEFAULT-VALUE})")
    private long seed;

    @Override
    public void run() {
        BenchOptions options = options();
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter log = spec.commandLine().getErr();
        int threads = Nd4j.getEnvironment().maxThreads();
        Map<String, String> header = header(options, threads);
        Optional<TorchBench> torch = noTorch ? Optional.empty() : TorchBench.open(options.python());
        String torchStatus = torch.map(t -> "PyTorch " + t.version() + " (" + t.python() + ", torch.set_num_threads("
                + threads + ")), measured in this run, each group right after its DL4J rows")
                .orElse(TorchBench.unavailableReason(options.python()));
        List<Measurement> rows = new ArrayList<>();
        Map<String, TorchBench.TorchRow> torchRows = new LinkedHashMap<>();
        try (StepBench steps = new StepBench(options)) {
            LossBench losses = new LossBench(options);
            for (BenchOptions.LossSize size : options.lossSizes()) {
                log.println("bench: losses " + size + " ...");
                logged(losses.run(size), rows, log);
                torch.ifPresent(t -> torchRows.putAll(t.bench(options, threads, "loss",
                        List.of("--sizes", size.toString()))));
            }
            for (BenchOptions.ModelPair pair : options.pairs()) {
                log.println("bench: steps " + pair + " ...");
                logged(steps.steps(pair), rows, log);
                torch.ifPresent(t -> torchRows.putAll(t.bench(options, threads, "step",
                        List.of("--teacher", pair.teacher(), "--student", pair.student()))));
                log.println("bench: inference " + pair.teacher() + " ...");
                logged(List.of(steps.inference(pair.teacher())), rows, log);
                torch.ifPresent(t -> torchRows.putAll(t.bench(options, threads, "infer",
                        List.of("--teacher", pair.teacher()))));
            }
            BenchOptions.LossSize stepLoss = options.lossSizes().contains(
                    new BenchOptions.LossSize(options.batch(), options.classes()))
                    ? new BenchOptions.LossSize(options.batch(), options.classes()) : null;
            BenchReport report = new BenchReport(header, rows, torchRows, torchStatus, options.pairs(), stepLoss);
            report.print(stdout);
            if (out != null) {
                report.write(out);
                stdout.println("written: " + out);
            }
            boolean missed = report.ratios().stream().anyMatch(r -> !r.met());
            if (profile && !options.pairs().isEmpty()) {
                BenchOptions.ModelPair first = options.pairs().get(0);
                int profiled = Math.max(2, options.iterations());
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

    /** Adds DL4J rows to the table and logs them at once, so that a long run shows its numbers as it goes. */
    private static void logged(List<Measurement> measured, List<Measurement> rows, PrintWriter log) {
        for (Measurement m : measured) {
            log.printf(Locale.ROOT, "bench:   %-40s %s ms%n", m.label(), BenchReport.significant(m.medianMs()));
        }
        log.flush();
        rows.addAll(measured);
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
        return new BenchOptions(warmup != null ? warmup : quick ? 1 : 3, iterations != null ? iterations : quick ? 2 : 5,
                epochs != null ? epochs : quick ? 2 : 3, batch, classes, sizes, pairList, noTorch ? null : python,
                seed);
    }

    private static Map<String, String> header(BenchOptions o, int threads) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("dtkd bench", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        h.put("machine", cpuModel() + ", " + Runtime.getRuntime().availableProcessors() + " CPUs visible to the JVM, "
                + System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        h.put("threads", threads + " (ND4J maxThreads; PyTorch gets the same)");
        h.put("kernels", FastKernels.status());
        h.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version") + ", max heap "
                + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MB");
        h.put("settings", String.format(Locale.ROOT, "warmup %d, %d epochs x %d timed iterations per row, batch %d, "
                        + "%d classes, 3x32x32 random data, float32 models, seed %d", o.warmup(), o.epochs(),
                o.iterations(), o.batch(), o.classes(), o.seed()));
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
