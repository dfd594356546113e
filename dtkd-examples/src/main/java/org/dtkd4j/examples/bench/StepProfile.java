package org.dtkd4j.examples.bench;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.dtkd4j.core.config.Method;
import org.dtkd4j.core.dl4j.TeacherLabelIterator;
import org.dtkd4j.core.teacher.Teacher;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.profiler.OpProfiler;
import org.nd4j.linalg.profiler.ProfilerConfig;
import org.nd4j.linalg.profiler.data.StringAggregator;
import org.nd4j.linalg.profiler.data.primitives.TimeSet;

import java.io.PrintWriter;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where the time of one distillation step goes, in two views measured over the same steps:
 * <ul>
 *   <li>phases, from training-listener callbacks: teacher forward and label packing ({@link TeacherLabelIterator}),
 *   student forward, loss and backward (up to {@code onBackwardPass}; DL4J evaluates the loss twice here: its
 *   gradient during backprop, then its score), the gradient listeners (divergence guard, {@code TorchWeightDecay}),
 *   and the updater;</li>
 *   <li>ND4J ops, from ND4J's {@link OpProfiler} with elapsed-time checks on: total time per op name for calls over
 *   0.1 ms (oneDNN {@code conv2d}, {@code batchnorm} and their {@code _bp}, ...), all shorter calls together, and the
 *   rest of the step, which is Java: DL4J's bookkeeping, the closed-form loss and its array conversions.</li>
 * </ul>
 * The profiler adds a little time per op call; the phases are timed with it on. With {@code --levers}, the profiled
 * step uses them (the student's convolution cache, the teacher's folded BatchNorm).
 */
final class StepProfile {

    private static final String[] PHASES = {"teacher forward + label packing", "student forward",
        "loss + backward (loss evaluated twice)", "gradient listeners (guard, weight decay)", "updater + rest"};

    /** Ops taking less than this share of the step are summed in one line. */
    private static final double MIN_SHARE = 0.005;

    private final StepBench bench;
    private final BenchOptions options;

    StepProfile(StepBench bench, BenchOptions options) {
        this.bench = bench;
        this.options = options;
    }

    /**
     * Profiles {@code steps} steps of a method and prints both views.
     *
     * @param pair   teacher and student
     * @param method the method
     * @param steps  profiled steps, after the options' warmup
     * @param out    where to print
     */
    void print(BenchOptions.ModelPair pair, Method method, int steps, PrintWriter out) {
        try (Teacher teacher = bench.teacher(pair.teacher(), Lever.teacherLevers(options.levers()))) {
            ComputationGraph student = bench.prepared(pair.student(), method, method.usesTeacher() ? teacher : null,
                    options.levers());
            DataSetIterator it = bench.iterator(method.usesTeacher() ? teacher : null);
            PhaseListener phases = new PhaseListener();
            student.addListeners(phases);
            for (int i = 0; i < options.warmup(); i++) {
                phases.step(it, student);
            }
            phases.reset();
            OpProfiler.getInstance().reset();
            Nd4j.getExecutioner().setProfilingConfig(ProfilerConfig.builder().checkElapsedTime(true).build());
            long start = System.nanoTime();
            try {
                for (int i = 0; i < steps; i++) {
                    phases.step(it, student);
                }
            } finally {
                Nd4j.getExecutioner().setProfilingConfig(ProfilerConfig.builder().build());
            }
            double stepMs = (System.nanoTime() - start) / 1e6 / steps;
            out.printf(Locale.ROOT, "%nProfile: %s step %s, mean of %d steps with the op profiler on: %.1f ms%n",
                    method, pair, steps, stepMs);
            out.println("  phase                                          ms/step   share");
            for (int p = 0; p < PHASES.length; p++) {
                double ms = phases.nanos[p] / 1e6 / steps;
                out.printf(Locale.ROOT, "  %-45s %8.1f  %5.1f%%%n", PHASES[p], ms, 100 * ms / stepMs);
            }
            printOps(steps, stepMs, out);
            out.flush();
        }
    }

    private static void printOps(int steps, double stepMs, PrintWriter out) {
        Map<String, TimeSet> all = times(OpProfiler.getInstance().getClassAggergator());
        Map<String, TimeSet> longCalls = times(OpProfiler.getInstance().getLongAggergator());
        double opsMs = 0;
        for (TimeSet t : all.values()) {
            opsMs += t.getSum() / 1e6 / steps;
        }
        Map<String, long[]> byName = new LinkedHashMap<>();
        for (Map.Entry<String, TimeSet> e : longCalls.entrySet()) {
            long[] sumAndCalls = byName.computeIfAbsent(opName(e.getKey()), k -> new long[2]);
            sumAndCalls[0] += e.getValue().getSum();
            sumAndCalls[1] += e.getValue().size();
        }
        List<Map.Entry<String, long[]>> sorted = new ArrayList<>(byName.entrySet());
        sorted.sort(Comparator.comparingLong((Map.Entry<String, long[]> e) -> e.getValue()[0]).reversed());
        out.println("  ND4J op (calls over 0.1 ms)                    ms/step   share  calls/step");
        double longMs = 0;
        double minorMs = 0;
        for (Map.Entry<String, long[]> e : sorted) {
            double ms = e.getValue()[0] / 1e6 / steps;
            longMs += ms;
            if (ms >= MIN_SHARE * stepMs) {
                out.printf(Locale.ROOT, "  %-45s %8.1f  %5.1f%%  %10.1f%n", e.getKey(), ms, 100 * ms / stepMs,
                        (double) e.getValue()[1] / steps);
            } else {
                minorMs += ms;
            }
        }
        out.printf(Locale.ROOT, "  %-45s %8.1f  %5.1f%%%n", "other ops over 0.1 ms (each under 0.5%)", minorMs,
                100 * minorMs / stepMs);
        out.printf(Locale.ROOT, "  %-45s %8.1f  %5.1f%%%n", "all ND4J op calls under 0.1 ms", opsMs - longMs,
                100 * (opsMs - longMs) / stepMs);
        out.printf(Locale.ROOT, "  %-45s %8.1f  %5.1f%%%n", "outside ND4J ops (Java, DL4J, loss closed form)",
                stepMs - opsMs, 100 * (stepMs - opsMs) / stepMs);
    }

    /**
     * Prints PyTorch's view of the same step ({@link TorchBench#profile}): self CPU time per op.
     *
     * @param profile the profile
     * @param pair    the pair profiled
     * @param out     where to print
     */
    static void printTorch(com.fasterxml.jackson.databind.JsonNode profile, BenchOptions.ModelPair pair,
                           PrintWriter out) {
        double stepMs = profile.get("step_ms").asDouble();
        out.printf(Locale.ROOT, "%nPyTorch profile: DTKD step %s with torch.profiler on: %.1f ms%n", pair, stepMs);
        out.println("  op (self CPU time)                             ms/step   share  calls/step");
        double minorMs = 0;
        for (com.fasterxml.jackson.databind.JsonNode op : profile.get("ops")) {
            double ms = op.get("self_ms").asDouble();
            if (ms >= MIN_SHARE * stepMs) {
                out.printf(Locale.ROOT, "  %-45s %8.1f  %5.1f%%  %10.1f%n", op.get("name").asText(), ms,
                        100 * ms / stepMs, op.get("calls").asDouble());
            } else {
                minorMs += ms;
            }
        }
        out.printf(Locale.ROOT, "  %-45s %8.1f  %5.1f%%%n", "other ops (each under 0.5%)", minorMs,
                100 * minorMs / stepMs);
        out.flush();
    }

    /** {@code "CustomOp conv2d_bp (123)"} → {@code "conv2d_bp"}. */
    private static String opName(String key) {
        String[] parts = key.split(" ");
        return parts.length >= 2 ? parts[1] : key;
    }

    /** The per-key times of an ND4J aggregator (kept in a private field: ND4J only prints them). */
    @SuppressWarnings("unchecked")
    private static Map<String, TimeSet> times(StringAggregator aggregator) {
        try {
            Field f = StringAggregator.class.getDeclaredField("times");
            f.setAccessible(true);
            return new LinkedHashMap<>((Map<String, TimeSet>) f.get(aggregator));
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("cannot read ND4J's op profiler times (StringAggregator.times): " + e, e);
        }
    }

    /** Timestamps the phases of the steps it runs. */
    private static final class PhaseListener extends BaseTrainingListener {
        final long[] nanos = new long[PHASES.length];
        private long last;

        void reset() {
            java.util.Arrays.fill(nanos, 0);
        }

        void step(DataSetIterator it, ComputationGraph student) {
            if (!it.hasNext()) {
                it.reset();
            }
            last = System.nanoTime();
            var batch = it.next();
            mark(0);
            student.fit(batch);
            mark(4);
        }

        private void mark(int phase) {
            long now = System.nanoTime();
            nanos[phase] += now - last;
            last = now;
        }

        @Override
        public void onForwardPass(Model model, Map<String, INDArray> activations) {
            mark(1);
        }

        @Override
        public void onBackwardPass(Model model) {
            mark(2);
        }

        @Override
        public void onGradientCalculation(Model model) {
            mark(3);
        }
    }
}
