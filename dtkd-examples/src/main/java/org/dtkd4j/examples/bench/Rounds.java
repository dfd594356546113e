package org.dtkd4j.examples.bench;

import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.factory.Nd4j;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Times a group of rows in alternating rounds, so that a slow phase of the machine hits every row of the group rather
 * than the rows measured during it.
 *
 * <ol>
 *   <li>Warmup: at least {@code warmup} untimed passes over the rows, interleaved like the rounds, then more, up to
 *   {@value #MAX_EXTRA_WARMUP_PASSES}, while the JIT compiles: until a pass during which the JVM's compilers worked
 *   for less than {@value #JIT_QUIET_SHARE} of the pass's time (the JVM's total compilation time; where the JVM does
 *   not report it, {@code warmup} passes). A row runs one iteration in the first pass; the median of its iterations in
 *   a pass sets how many it runs in the next: enough that it computes for about {@code minRoundMs} (100 ms by
 *   default), at most {@value #MAX_ITERATIONS_PER_ROUND}. After the last pass that count, and at least
 *   {@code iterations}, is the row's iterations per round. So a row whose first calls run before the JIT has compiled
 *   it (much slower than later ones) is still timed over enough iterations, and not while its code is still being
 *   compiled: code that only one row calls (KD's float32 loss) waited behind the compilations of the group's other
 *   rows for all of a 20-round run (4.5 ms a call for 0.06 once compiled).</li>
 *   <li>{@code rounds} rounds: every row runs its iterations once per round, the rows in the group's order in even
 *   rounds and in reverse order in odd rounds (so that no row always follows the same one, and two rows meant to be
 *   compared each come first as often as the other). A row's value for the round is the median of its iterations
 *   in the round.</li>
 *   <li>Only one side computes at a time: the PyTorch process computes only while it answers a command and this
 *   thread waits for the answer. When the side changes, the thread sleeps {@value #SWITCH_PAUSE_MS} ms first, so
 *   that the OpenMP threads of the side that stopped stop spinning before the other side's time starts. The CPU time
 *   the idle side still uses during the other side's timed runs is counted ({@link #idleShare}).</li>
 *   <li>Memory: after every run of a row, the JVM heap in use, the off-heap bytes ND4J tracks and the resident set
 *   (DL4J rows) or the PyTorch process's resident set (PyTorch rows), for the peaks; after each of {@code epochs}
 *   blocks of rounds, a garbage collection and the resident set of each side, for the growth check. None of this is
 *   inside a timed run.</li>
 * </ol>
 */
final class Rounds {

    /** Milliseconds the thread sleeps when the computing side changes. */
    static final long SWITCH_PAUSE_MS = 50;
    /** A row runs at most this many iterations per round. */
    static final int MAX_ITERATIONS_PER_ROUND = 10_000;
    /** Linux reports process CPU time in USER_HZ ticks, 100 per second on every architecture the JVM runs on. */
    static final double TICKS_PER_SECOND = 100;
    /** Warmup passes beyond {@code warmup}: at most this many, while the JIT keeps compiling. */
    static final int MAX_EXTRA_WARMUP_PASSES = 20;
    /** A warmup pass during which the JIT compiled for less than this share of the pass's time ends the warmup. */
    static final double JIT_QUIET_SHARE = 0.02;

    private final BenchOptions options;
    private final Map<Measurement.Side, LongSupplier> cpuTicks;
    private final Map<Measurement.Side, long[]> idle = new EnumMap<>(Measurement.Side.class);
    private final LongSupplier jitMillis;
    private int lastWarmupPasses;

    /**
     * @param options   warmup, rounds, iterations and epochs
     * @param cpuTicks  per side, the CPU time of its process so far in clock ticks (for the idle-side check); a side
     *                  without an entry is not checked
     * @param jitMillis the JVM's total compilation time so far in milliseconds ({@link #compilationMillis}), -1 if
     *                  unknown (then the warmup runs {@code warmup} passes only)
     */
    Rounds(BenchOptions options, Map<Measurement.Side, LongSupplier> cpuTicks, LongSupplier jitMillis) {
        this.options = options;
        this.jitMillis = jitMillis;
        this.cpuTicks = new EnumMap<>(Measurement.Side.class);
        this.cpuTicks.putAll(cpuTicks);
        for (Measurement.Side s : Measurement.Side.values()) {
            idle.put(s, new long[2]);
        }
    }

    /** One row of a group: what it measures and how to run it. */
    abstract static class Row {
        final String id;
        final String label;
        final Measurement.Side side;
        final int samples;

        /**
         * @param id      the row's id (already carrying its side's prefix)
         * @param label   what it measures
         * @param side    who computes it
         * @param samples examples per iteration
         */
        Row(String id, String label, Measurement.Side side, int samples) {
            this.id = id;
            this.label = label;
            this.side = side;
            this.samples = samples;
        }

        /**
         * @param iterations how many times to run the row's action
         * @return the milliseconds of each run
         */
        abstract double[] run(int iterations);

        /** @return {heap, off-heap, peak resident set, resident set} after the last {@link #run}; -1 if unknown */
        abstract long[] memory();
    }

    /**
     * A DL4J row and what PyTorch computes for it.
     *
     * @param row   the DL4J row
     * @param torch the PyTorch counterpart (several DL4J rows may share one)
     */
    record Planned(Row row, TorchBench.Setup torch) {
    }

    /**
     * A row computed in this JVM.
     *
     * @param id      row id
     * @param label   what it measures
     * @param samples examples per run
     * @param action  one run
     * @return the row
     */
    static Row dl4j(String id, String label, int samples, Runnable action) {
        return new Row(id, label, Measurement.Side.DL4J, samples) {
            @Override
            double[] run(int iterations) {
                double[] ms = new double[iterations];
                for (int i = 0; i < iterations; i++) {
                    long start = System.nanoTime();
                    action.run();
                    ms[i] = (System.nanoTime() - start) / 1e6;
                }
                return ms;
            }

            @Override
            long[] memory() {
                Runtime r = Runtime.getRuntime();
                long rss = Pointer.physicalBytes();
                return new long[]{r.totalMemory() - r.freeMemory(),
                    Nd4j.getMemoryManager().allocatedMemory(Nd4j.getAffinityManager().getDeviceForCurrentThread()),
                    rss, rss};
            }
        };
    }

    /**
     * @param ms a row's time per iteration
     * @return the iterations that make it compute about {@code minRoundMs}: at least 1, at most
     *         {@value #MAX_ITERATIONS_PER_ROUND}
     */
    private int iterationsFor(double ms) {
        double iterations = Math.ceil(options.minRoundMs() / Math.max(ms, 1e-3));
        return (int) Math.max(1, Math.min(MAX_ITERATIONS_PER_ROUND, iterations));
    }

    /**
     * Measures a group of rows.
     *
     * @param rows the rows, in the order of even rounds
     * @return one measurement per row, in the same order
     */
    List<Measurement> measure(List<Row> rows) {
        int n = rows.size();
        int[] perRound = new int[n];
        java.util.Arrays.fill(perRound, 1);
        Measurement.Side[] last = {null};
        int passes = 0;
        boolean compiling = options.warmup() > 0;
        while (passes < options.warmup() || compiling && passes < options.warmup() + MAX_EXTRA_WARMUP_PASSES) {
            long jit0 = jitMillis.getAsLong();
            long start = System.nanoTime();
            for (int k : order(n, passes)) {
                perRound[k] = iterationsFor(Stats.median(timed(rows.get(k), perRound[k], last)));
            }
            passes++;
            long jit = jitMillis.getAsLong() - jit0;
            compiling = jit0 >= 0 && jit >= JIT_QUIET_SHARE * (System.nanoTime() - start) / 1e6;
        }
        lastWarmupPasses = passes;
        for (int k = 0; k < n; k++) {
            perRound[k] = Math.max(options.iterations(), perRound[k]);
        }
        int rounds = options.rounds();
        int epochs = options.epochs();
        double[][] roundMs = new double[n][rounds];
        long[][] peaks = new long[n][3];
        for (long[] p : peaks) {
            java.util.Arrays.fill(p, -1);
        }
        long[][] epochRss = new long[n][epochs];
        int block = 0;
        for (int r = 0; r < rounds; r++) {
            for (int k : order(n, r)) {
                Row row = rows.get(k);
                roundMs[k][r] = Stats.median(timed(row, perRound[k], last));
                long[] m = row.memory();
                peaks[k][0] = Math.max(peaks[k][0], m[0]);
                peaks[k][1] = Math.max(peaks[k][1], m[1]);
                peaks[k][2] = Math.max(peaks[k][2], m[2]);
            }
            if (r == (int) ((long) (block + 1) * rounds / epochs) - 1) {
                System.gc();
                long jvmRss = Pointer.physicalBytes();
                for (int k = 0; k < n; k++) {
                    epochRss[k][block] = rows.get(k).side == Measurement.Side.DL4J ? jvmRss : rows.get(k).memory()[3];
                }
                block++;
            }
        }
        List<Measurement> out = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            Row row = rows.get(k);
            out.add(new Measurement(row.id, row.label, row.side, row.samples, perRound[k], roundMs[k], peaks[k][0],
                    peaks[k][1], peaks[k][2], epochRss[k]));
        }
        return out;
    }

    /** @return the warmup passes the last {@link #measure} ran */
    int lastWarmupPasses() {
        return lastWarmupPasses;
    }

    /** @return the JVM's total compilation time in milliseconds, -1 where it is not monitored */
    static long compilationMillis() {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : -1;
    }

    /**
     * @param side a side
     * @return the CPU the other side used while {@code side} was timed, in cores (1.0 = one core busy all the time),
     *     or -1 when not checked or {@code side} never computed
     */
    double idleShare(Measurement.Side side) {
        long[] v = idle.get(side);
        return v[1] == 0 || v[0] < 0 ? -1 : v[0] / TICKS_PER_SECOND / (v[1] / 1e9);
    }

    private double[] timed(Row row, int iterations, Measurement.Side[] last) {
        if (last[0] != null && last[0] != row.side) {
            try {
                Thread.sleep(SWITCH_PAUSE_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted between rows", e);
            }
        }
        last[0] = row.side;
        Measurement.Side other = row.side == Measurement.Side.DL4J ? Measurement.Side.PYTORCH : Measurement.Side.DL4J;
        LongSupplier otherTicks = cpuTicks.get(other);
        long before = otherTicks == null ? 0 : otherTicks.getAsLong();
        long start = System.nanoTime();
        double[] ms = row.run(iterations);
        long[] v = idle.get(row.side);
        v[1] += System.nanoTime() - start;
        if (otherTicks != null && v[0] >= 0) {
            long used = otherTicks.getAsLong() - before;
            v[0] = before < 0 || used < 0 ? -1 : v[0] + used;
        } else {
            v[0] = -1;
        }
        return ms;
    }

    /** @return the row indices of round {@code r}: ascending in even rounds, descending in odd ones */
    static int[] order(int n, int r) {
        int[] o = new int[n];
        for (int i = 0; i < n; i++) {
            o[i] = r % 2 == 0 ? i : n - 1 - i;
        }
        return o;
    }
}
