package org.dtkd4j.examples.bench;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The PyTorch side: runs {@code bench_torch.py} (a resource of this package, copied to a temporary file) with a
 * Python interpreter that can {@code import torch}, one process per group of rows, and reads the JSON it prints.
 * The script implements the same models, losses and SGD step; see its docstring.
 */
public final class TorchBench implements AutoCloseable {

    /** The interpreter used by default: Debian's, where {@code apt-get install python3-torch} puts torch. */
    public static final Path DEFAULT_PYTHON = Path.of("/usr/bin/python3");
    /** Name of the script resource next to this class. */
    public static final String SCRIPT = "bench_torch.py";

    /** Python's json module writes NaN and Infinity as bare tokens. */
    private static final ObjectMapper JSON = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();
    private static final long TIMEOUT_MINUTES = 60;

    private final Path python;
    private final Path script;
    private final String version;

    private TorchBench(Path python, Path script, String version) {
        this.python = python;
        this.script = script;
        this.version = version;
    }

    /**
     * A PyTorch side, if the interpreter exists and imports torch.
     *
     * @param python the interpreter
     * @return the side, or empty with the reason in {@link #unavailableReason(Path)}
     */
    public static Optional<TorchBench> open(Path python) {
        if (python == null || !Files.isExecutable(python)) {
            return Optional.empty();
        }
        Optional<String> version = torchVersion(python);
        if (version.isEmpty()) {
            return Optional.empty();
        }
        Path script;
        try (InputStream in = TorchBench.class.getResourceAsStream(SCRIPT)) {
            if (in == null) {
                throw new IllegalStateException(SCRIPT + " is missing from the classpath next to "
                        + TorchBench.class.getName());
            }
            script = Files.createTempFile("dtkd-bench_torch", ".py");
            Files.write(script, in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + SCRIPT + " to a temporary file: " + e.getMessage(), e);
        }
        return Optional.of(new TorchBench(python, script, version.get()));
    }

    /**
     * @param python the interpreter that was tried
     * @return why there is no PyTorch column, for the table
     */
    public static String unavailableReason(Path python) {
        if (python == null) {
            return "PyTorch not run (--no-torch)";
        }
        if (!Files.isExecutable(python)) {
            return "PyTorch absent: " + python + " not found (apt-get install -y python3-torch)";
        }
        return "PyTorch absent: " + python + " cannot import torch (apt-get install -y python3-torch)";
    }

    private static Optional<String> torchVersion(Path python) {
        try {
            Process p = new ProcessBuilder(python.toString(), "-c", "import torch; print(torch.__version__)")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return p.waitFor() == 0 ? Optional.of(out) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** @return the torch version the interpreter imports */
    public String version() {
        return version;
    }

    /** @return the interpreter */
    public Path python() {
        return python;
    }

    /**
     * Runs the script with arguments and parses the one JSON document it prints.
     *
     * @param args arguments after the script path
     * @param stdin what to write to its standard input, or {@code null}
     * @return the parsed output
     * @throws IllegalStateException if the script fails, naming its exit code and standard error
     */
    public JsonNode run(List<String> args, String stdin) {
        List<String> cmd = new ArrayList<>(List.of(python.toString(), script.toString()));
        cmd.addAll(args);
        try {
            Path err = Files.createTempFile("dtkd-bench_torch", ".err");
            try {
                Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
                if (stdin != null) {
                    p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
                }
                p.getOutputStream().close();
                byte[] out = p.getInputStream().readAllBytes();
                if (!p.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES) || p.exitValue() != 0) {
                    p.destroy();
                    throw new IllegalStateException(String.join(" ", cmd) + " failed (exit "
                            + (p.isAlive() ? "timeout" : p.exitValue()) + "): " + Files.readString(err).strip());
                }
                return JSON.readTree(out);
            } finally {
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(String.join(" ", cmd) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + String.join(" ", cmd), e);
        }
    }

    /**
     * Measures one group of rows.
     *
     * @param options the bench options (threads are passed separately)
     * @param threads intra-op threads ({@code torch.set_num_threads})
     * @param group   {@code loss}, {@code step} or {@code infer}
     * @param extra   group arguments, e.g. {@code --teacher resnet32x4}
     * @return the rows by id
     */
    public Map<String, TorchRow> bench(BenchOptions options, int threads, String group, List<String> extra) {
        JsonNode out = runGroup(options, threads, group, extra);
        Map<String, TorchRow> rows = new LinkedHashMap<>();
        for (JsonNode r : out.get("rows")) {
            long[] epochRss = new long[r.get("epoch_rss_bytes").size()];
            for (int i = 0; i < epochRss.length; i++) {
                epochRss[i] = r.get("epoch_rss_bytes").get(i).asLong();
            }
            rows.put(r.get("id").asText(), new TorchRow(r.get("id").asText(), r.get("median_ms").asDouble(),
                    r.get("samples_per_s").asDouble(), r.get("peak_rss_bytes").asLong(), epochRss));
        }
        return rows;
    }

    /**
     * Profiles DTKD steps of a pair with {@code torch.profiler}.
     *
     * @param options the bench options
     * @param threads intra-op threads
     * @param pair    teacher and student
     * @param steps   profiled steps (after the options' warmup)
     * @return {@code step_ms} (mean wall time of a profiled step) and {@code ops} (name, {@code self_ms} and
     *     {@code calls} per step, largest first)
     */
    public JsonNode profile(BenchOptions options, int threads, BenchOptions.ModelPair pair, int steps) {
        List<String> extra = List.of("--teacher", pair.teacher(), "--student", pair.student());
        BenchOptions profiled = new BenchOptions(options.warmup(), steps, 1, options.batch(), options.classes(),
                options.lossSizes(), options.pairs(), options.python(), options.seed());
        return runGroup(profiled, threads, "profile", extra).get("rows").get(0);
    }

    private JsonNode runGroup(BenchOptions options, int threads, String group, List<String> extra) {
        List<String> args = new ArrayList<>(List.of("bench", "--group", group, "--threads", String.valueOf(threads),
                "--warmup", String.valueOf(options.warmup()), "--iterations", String.valueOf(options.iterations()),
                "--epochs", String.valueOf(options.epochs()), "--batch", String.valueOf(options.batch()),
                "--classes", String.valueOf(options.classes()), "--seed", String.valueOf(options.seed())));
        args.addAll(extra);
        JsonNode out = run(args, null);
        if (out.get("threads").asInt() != threads) {
            throw new IllegalStateException("PyTorch runs " + out.get("threads").asInt() + " threads, asked for "
                    + threads);
        }
        return out;
    }

    /** Deletes the temporary copy of the script. */
    @Override
    public void close() {
        try {
            Files.deleteIfExists(script);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + script + ": " + e.getMessage(), e);
        }
    }

    /**
     * One row measured by PyTorch.
     *
     * @param id             row identifier (the DL4J loss rows' id without the implementation)
     * @param medianMs       median milliseconds of one timed iteration
     * @param samplesPerSecond samples per second at the median
     * @param peakRssBytes   largest resident set size of the Python process after an iteration
     * @param epochRssBytes  resident set size after each epoch
     */
    public record TorchRow(String id, double medianMs, double samplesPerSecond, long peakRssBytes,
                           long[] epochRssBytes) {

        /** Copies the array. */
        public TorchRow {
            epochRssBytes = epochRssBytes.clone();
        }

        @Override
        public long[] epochRssBytes() {
            return epochRssBytes.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof TorchRow r && id.equals(r.id) && Double.compare(medianMs, r.medianMs) == 0
                    && Double.compare(samplesPerSecond, r.samplesPerSecond) == 0 && peakRssBytes == r.peakRssBytes
                    && java.util.Arrays.equals(epochRssBytes, r.epochRssBytes);
        }

        @Override
        public int hashCode() {
            return 31 * java.util.Objects.hash(id, medianMs, samplesPerSecond, peakRssBytes)
                    + java.util.Arrays.hashCode(epochRssBytes);
        }

        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT, "TorchRow[%s: %.3f ms]", id, medianMs);
        }
    }
}
