package org.dtkd4j.examples.bench;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.dtkd4j.core.perf.NativeMemory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The PyTorch side: runs {@code bench_torch.py} (a resource of this package, copied to a temporary file) with a
 * Python interpreter that can {@code import torch}: one long-lived {@link Server} process for the timed rounds, one
 * process per call for the profile and the cross-checks.
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
    private static final long TIMEOUT_SECONDS = 30;

    /**
     * What the PyTorch process's glibc {@code malloc} does with memory it frees, set through its environment (the
     * process gets no other {@code MALLOC_} variable: none is inherited from the bench's own environment).
     *
     * <p>Measured on a 2-core virtual machine: with glibc's defaults, the same resnet20 step took 111 to 203 ms in
     * different processes (PyTorch frees and re-allocates its activations every step; depending on the process's
     * history glibc returns them to the system and the next step faults them in again, which this machine makes
     * expensive); with the freed memory kept, 82-95 ms in every process.
     */
    public enum Malloc {
        /**
         * Freed memory stays in the process, as in the JVM that {@code ./dtkd} starts ({@link NativeMemory#KEEP}).
         * The one arena changes nothing measurable for PyTorch here (KD loss at 256x1000: 1.53-1.98 ms a call
         * without it, 1.54-1.92 with it; resnet32x4&rarr;resnet8x4 NONE step: 249 and 258 ms, 257 and 253 ms).
         */
        KEEP(NativeMemory.KEEP),
        /** glibc's defaults: no {@code MALLOC_} variable at all. */
        GLIBC(Map.of());

        private final Map<String, String> environment;

        Malloc(Map<String, String> environment) {
            this.environment = environment;
        }

        /** @return the variables set in the PyTorch process's environment */
        public Map<String, String> environment() {
            return environment;
        }

        /** @return how the header describes it */
        public String describe() {
            return environment.isEmpty() ? "glibc malloc with its defaults" : NativeMemory.describe(environment);
        }
    }

    private final Path python;
    private final Path script;
    private final String version;
    private final Malloc malloc;

    private TorchBench(Path python, Path script, String version, Malloc malloc) {
        this.python = python;
        this.script = script;
        this.version = version;
        this.malloc = malloc;
    }

    /**
     * A PyTorch side whose process keeps the memory it frees ({@link Malloc#KEEP}), if the interpreter exists and
     * imports torch.
     *
     * @param python the interpreter
     * @return the side, or empty with the reason in {@link #unavailableReason(Path)}
     */
    public static Optional<TorchBench> open(Path python) {
        return open(python, Malloc.KEEP);
    }

    /**
     * A PyTorch side, if the interpreter exists and imports torch.
     *
     * @param python the interpreter
     * @param malloc what its processes' {@code malloc} does with freed memory
     * @return the side, or empty with the reason in {@link #unavailableReason(Path)}
     */
    public static Optional<TorchBench> open(Path python, Malloc malloc) {
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
        return Optional.of(new TorchBench(python, script, version.get(), malloc));
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

    /** @return what its processes' {@code malloc} does with freed memory */
    public Malloc malloc() {
        return malloc;
    }

    private ProcessBuilder process(List<String> cmd) {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().keySet().removeIf(name -> name.startsWith("MALLOC_"));
        pb.environment().putAll(malloc.environment());
        return pb;
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
                Process p = process(cmd).redirectError(err.toFile()).start();
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
     * Starts the script's {@code serve} command: a PyTorch process that keeps the rows of a bench run alive and runs
     * them one command at a time (see the script's documentation), so that rounds can alternate between DL4J and
     * PyTorch while only one side computes.
     *
     * @param options the bench options (batch, classes, seed)
     * @param threads intra-op threads ({@code torch.set_num_threads})
     * @return the running server; close it
     * @throws IllegalStateException if the process does not start, runs another thread count or lacks the
     *     {@link Malloc} environment
     */
    public Server serve(BenchOptions options, int threads) {
        List<String> cmd = List.of(python.toString(), script.toString(), "serve", "--threads", String.valueOf(threads),
                "--batch", String.valueOf(options.batch()), "--classes", String.valueOf(options.classes()), "--seed",
                String.valueOf(options.seed()));
        Server server = new Server(process(cmd));
        int running = server.hello.get("threads").asInt();
        if (running != threads) {
            server.close();
            throw new IllegalStateException("PyTorch runs " + running + " threads, asked for " + threads);
        }
        Map<String, String> seen = server.mallocEnvironment();
        if (!seen.equals(malloc.environment())) {
            server.close();
            throw new IllegalStateException("the PyTorch process has the malloc environment " + new TreeMap<>(seen)
                    + ", set to " + new TreeMap<>(malloc.environment()));
        }
        return server;
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
        JsonNode out = run(List.of("profile", "--threads", String.valueOf(threads), "--warmup",
                String.valueOf(options.warmup()), "--iterations", String.valueOf(steps), "--batch",
                String.valueOf(options.batch()), "--classes", String.valueOf(options.classes()), "--seed",
                String.valueOf(options.seed()), "--teacher", pair.teacher(), "--student", pair.student()), null);
        if (out.get("threads").asInt() != threads) {
            throw new IllegalStateException("PyTorch runs " + out.get("threads").asInt() + " threads, asked for "
                    + threads);
        }
        return out;
    }

    /**
     * What the PyTorch side computes for a row: the id it shares with the DL4J rows measuring the same thing and the
     * {@code serve} command that creates it.
     *
     * @param id      the shared id, e.g. {@code loss/DTKD/64x100} (every loss implementation of DL4J shares it)
     * @param command the command, without the row id
     */
    public record Setup(String id, ObjectNode command) {

        /** @return the loss forward+backward of a method at a size */
        static Setup loss(String method, BenchOptions.LossSize size) {
            return new Setup("loss/" + method + "/" + size, JSON.createObjectNode().put("cmd", "loss")
                    .put("method", method).put("size", size.toString()));
        }

        /** @return a training step of a method on a pair */
        static Setup step(BenchOptions.ModelPair pair, String method) {
            return new Setup("step/" + pair + "/" + method, JSON.createObjectNode().put("cmd", "step")
                    .put("teacher", pair.teacher()).put("student", pair.student()).put("method", method));
        }

        /** @return the inference of a teacher */
        static Setup infer(String teacher) {
            return new Setup("infer/" + teacher, JSON.createObjectNode().put("cmd", "infer").put("teacher", teacher));
        }
    }

    /**
     * The running {@code serve} process: one JSON command per line to its standard input, one JSON reply per line
     * from its standard output. Every call waits for the reply, so the process computes only inside a call.
     */
    public static final class Server implements AutoCloseable {
        private final Process process;
        private final java.io.BufferedReader replies;
        private final java.io.Writer commands;
        private final Path err;
        private final String command;
        private final JsonNode hello;

        private Server(ProcessBuilder builder) {
            this.command = String.join(" ", builder.command());
            try {
                this.err = Files.createTempFile("dtkd-bench_torch", ".err");
                this.process = builder.redirectError(err.toFile()).start();
            } catch (IOException e) {
                throw new UncheckedIOException(command + ": " + e.getMessage(), e);
            }
            this.replies = new java.io.BufferedReader(new java.io.InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8));
            this.commands = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            this.hello = reply();
        }

        /** @return the {@code MALLOC_*} environment variables the process reported */
        Map<String, String> mallocEnvironment() {
            Map<String, String> env = new TreeMap<>();
            hello.path("malloc").fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
            return env;
        }

        /** @return the process id (for its CPU time) */
        public long pid() {
            return process.pid();
        }

        /**
         * Sends one command and waits for its reply.
         *
         * @param cmd the command, e.g. {@code {"cmd": "run", "id": "...", "iterations": 3}}
         * @return the reply
         * @throws IllegalStateException if the script replies with an error or exits, with its message
         */
        public JsonNode call(ObjectNode cmd) {
            try {
                commands.write(JSON.writeValueAsString(cmd) + "\n");
                commands.flush();
            } catch (IOException e) {
                throw new IllegalStateException(command + " stopped accepting commands: " + stderr(), e);
            }
            JsonNode reply = reply();
            if (reply.has("error")) {
                throw new IllegalStateException("bench_torch.py failed on " + cmd + ": " + reply.get("error").asText());
            }
            return reply;
        }

        /**
         * A row computed by this process.
         *
         * @param setup   what the row computes
         * @param label   what it measures, for the table
         * @param samples examples per run
         * @return the row
         */
        Rounds.Row row(Setup setup, String label, int samples) {
            String sideId = Measurement.Side.PYTORCH.id(setup.id());
            call(setup.command().deepCopy().put("id", sideId));
            long[] memory = {-1, -1, -1, -1};
            return new Rounds.Row(sideId, label, Measurement.Side.PYTORCH, samples) {
                @Override
                double[] run(int iterations) {
                    JsonNode r = call(JSON.createObjectNode().put("cmd", "run").put("id", sideId)
                            .put("iterations", iterations));
                    double[] ms = new double[iterations];
                    for (int i = 0; i < iterations; i++) {
                        ms[i] = r.get("ms").get(i).asDouble();
                    }
                    memory[2] = r.get("peak_rss_bytes").asLong();
                    memory[3] = r.get("rss_bytes").asLong();
                    return ms;
                }

                @Override
                long[] memory() {
                    return memory.clone();
                }
            };
        }

        /** Forgets every row and teacher of a group, so that their memory does not count in the next group. */
        void dropAll(List<Rounds.Row> rows) {
            for (Rounds.Row r : rows) {
                if (r.side == Measurement.Side.PYTORCH) {
                    call(JSON.createObjectNode().put("cmd", "drop").put("id", r.id).put("teachers", true));
                }
            }
        }

        private JsonNode reply() {
            try {
                String line = replies.readLine();
                if (line == null) {
                    process.waitFor(10, TimeUnit.SECONDS);
                    throw new IllegalStateException(command + " exited" + (process.isAlive() ? "" : " with "
                            + process.exitValue()) + ": " + stderr());
                }
                return JSON.readTree(line);
            } catch (IOException e) {
                throw new UncheckedIOException(command + ": " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + command, e);
            }
        }

        private String stderr() {
            try {
                return Files.readString(err).strip();
            } catch (IOException e) {
                return "(standard error unreadable: " + e.getMessage() + ")";
            }
        }

        /** Asks the process to quit, waits for it (or ends it) and deletes its error file. */
        @Override
        public void close() {
            try {
                commands.write("{\"cmd\": \"quit\"}\n");
                commands.close();
            } catch (IOException e) {
                // the process has gone already; it is ended below either way
            }
            try {
                if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    process.destroy();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroy();
            }
            try {
                Files.deleteIfExists(err);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot delete " + err + ": " + e.getMessage(), e);
            }
        }
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
}
