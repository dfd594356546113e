package org.dtkd4j.examples.bench;

import com.sun.management.HotSpotDiagnosticMXBean;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.ToLongFunction;

/**
 * How busy the machine is, from Linux's {@code /proc} (elsewhere every reading is "unknown" and the bench says so):
 * the load average, the CPU time of the whole machine ({@code /proc/stat}) and of single processes
 * ({@code /proc/<pid>/stat}), and which other processes are busy; and what a first write to fresh memory costs
 * ({@link #memory()}).
 *
 * <p>The machine is <b>quiet</b> when, during the timed part of the run, all other processes together used less than
 * {@value #QUIET_SHARE} of the machine's CPU time (machine CPU time minus this JVM's and the PyTorch process's), no
 * other process used more than {@value #BUSY_CORES} of a core in the samples before and after, and the idle side
 * used less than {@value #BUSY_CORES} of a core while the other side was timed. Otherwise the bench prints a warning:
 * its timings then measure the contention as much as the code. An idle PyTorch process uses CPU when its OpenMP
 * threads spin; an idle JVM mostly when its JIT compiler or its service threads run (measured with per-thread CPU
 * times over the PyTorch rows of a loss-only run: the JIT compiler, the periodic task thread that samples the JVM's
 * performance counters, monitor deflation and G1's service thread about three quarters of it).
 */
final class MachineState {

    /** Other processes may use at most this share of the machine's CPU time for the machine to count as quiet. */
    static final double QUIET_SHARE = 0.05;
    /** A process using more than this many cores is busy. */
    static final double BUSY_CORES = 0.10;

    private static final Path PROC = Path.of("/proc");
    /** The page size the memory probe counts in. */
    private static final int PAGE = 4096;
    /**
     * The fresh memory the probe writes: above glibc's largest threshold for serving an allocation from memory freed
     * before (32 MiB), so that it comes from the kernel unmapped.
     */
    static final int PROBE_BYTES = 64 << 20;

    private MachineState() {
    }

    /** @return the first three fields of {@code /proc/loadavg} (1, 5 and 15 minutes), or "unknown" */
    static String loadAverage() {
        try {
            String[] f = Files.readString(PROC.resolve("loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2] + " (1/5/15 min)";
        } catch (IOException | RuntimeException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    /**
     * What writing to memory costs here, and whether the JVM heap paid it up front. The first write to a page of
     * fresh memory makes the kernel (on a virtual machine, the hypervisor too) map and zero it: a row that allocates
     * in memory never used before pays that inside its timing, and on some virtual machines it costs 100 times a
     * write to a mapped page or more. The PyTorch process keeps the memory it frees ({@code --torch-malloc KEEP}); the JVM keeps its
     * heap when it was committed and pre-touched at start ({@code -XX:+AlwaysPreTouch}, as {@code ./dtkd bench} starts
     * it) and never given back ({@code -XX:MaxHeapFreeRatio=100}).
     *
     * @return e.g. "first write to fresh memory 14.10 us per 4 KiB page, 0.05 us once mapped (64 MiB probed); JVM
     *     heap 3016 MB committed at start, pre-touched, never shrunk", or why the probe could not run
     */
    static String memory() {
        long start = System.nanoTime();
        ByteBuffer fresh;
        try {
            fresh = ByteBuffer.allocateDirect(PROBE_BYTES);
        } catch (OutOfMemoryError e) {
            return "not measured: no " + (PROBE_BYTES >> 20) + " MiB of direct memory for the probe ("
                    + e.getMessage() + ")";
        }
        long mapped = System.nanoTime();
        for (int i = 0; i < PROBE_BYTES; i += PAGE) {
            fresh.put(i, (byte) 1);
        }
        long end = System.nanoTime();
        int pages = PROBE_BYTES / PAGE;
        HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        boolean preTouched = Boolean.parseBoolean(vm.getVMOption("AlwaysPreTouch").getValue());
        boolean kept = "100".equals(vm.getVMOption("MaxHeapFreeRatio").getValue());
        long initialMb = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getInit() / (1024 * 1024);
        return String.format(Locale.ROOT, "first write to fresh memory %.2f us per 4 KiB page, %.2f us once mapped "
                + "(%d MiB probed); JVM heap %d MB committed at start, %s, %s", (mapped - start) / 1e3 / pages,
                (end - mapped) / 1e3 / pages, PROBE_BYTES >> 20, initialMb,
                preTouched ? "pre-touched" : "not pre-touched (a row allocating in heap never used before pays the "
                        + "first write)", kept ? "never shrunk" : "shrunk when mostly free");
    }

    /** @return busy and total CPU ticks of the whole machine ({@code /proc/stat}), or {-1, -1} */
    static long[] machineTicks() {
        try {
            String[] f = Files.readAllLines(PROC.resolve("stat")).get(0).trim().split("\\s+");
            long total = 0;
            long idle = 0;
            for (int i = 1; i < f.length && i <= 8; i++) {
                long v = Long.parseLong(f[i]);
                total += v;
                if (i == 4 || i == 5) {
                    idle += v;
                }
            }
            return new long[]{total - idle, total};
        } catch (IOException | RuntimeException e) {
            return new long[]{-1, -1};
        }
    }

    /** @return user + system CPU ticks of a process so far, or -1 if it cannot be read */
    static long processTicks(long pid) {
        return fromStat(pid, MachineState::ticks);
    }

    /** @return {@code field} of a process's {@code /proc/<pid>/stat} text, or -1 if it cannot be read */
    private static long fromStat(long pid, ToLongFunction<String> field) {
        try {
            return field.applyAsLong(Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat")));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** @return user + system ticks from the text of a {@code /proc/<pid>/stat} file (fields 14 and 15) */
    static long ticks(String stat) {
        String[] f = fields(stat);
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /** @return the minor page faults of a process so far (pages the kernel mapped for it), or -1 if unreadable */
    static long processFaults(long pid) {
        return fromStat(pid, MachineState::faults);
    }

    /** @return the minor page faults from the text of a {@code /proc/<pid>/stat} file (field 10) */
    static long faults(String stat) {
        return Long.parseLong(fields(stat)[7]);
    }

    /** @return the fields of a {@code /proc/<pid>/stat} text from field 3 on (after the command name) */
    private static String[] fields(String stat) {
        return stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
    }

    /**
     * The processes other than {@code exclude} that used more than {@link #BUSY_CORES} cores during a sample.
     *
     * @param exclude    process ids not to report (this JVM, the PyTorch process)
     * @param sampleMillis how long to sample
     * @return "name (pid) cores" per busy process, busiest first; empty when none or unreadable
     */
    static List<String> busyProcesses(Set<Long> exclude, long sampleMillis) {
        Map<Long, long[]> before = allTicks();
        try {
            Thread.sleep(sampleMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
        Map<Long, long[]> after = allTicks();
        List<Map.Entry<Long, Double>> busy = new ArrayList<>();
        Map<Long, String> names = new HashMap<>();
        for (Map.Entry<Long, long[]> e : after.entrySet()) {
            long[] b = before.get(e.getKey());
            if (b == null || exclude.contains(e.getKey())) {
                continue;
            }
            double cores = (e.getValue()[0] - b[0]) / Rounds.TICKS_PER_SECOND / (sampleMillis / 1000.0);
            if (cores > BUSY_CORES) {
                busy.add(Map.entry(e.getKey(), cores));
                names.put(e.getKey(), name(e.getKey()));
            }
        }
        busy.sort(Map.Entry.<Long, Double>comparingByValue().reversed());
        List<String> out = new ArrayList<>();
        for (Map.Entry<Long, Double> e : busy) {
            out.add(String.format(Locale.ROOT, "%s (%d) %.2f cores", names.get(e.getKey()), e.getKey(), e.getValue()));
        }
        return out;
    }

    /**
     * The quiet verdict (see the class documentation).
     *
     * @param otherShare     share of the machine's CPU time other processes used during the run, or NaN if unknown
     * @param busyBefore     busy processes sampled before the run
     * @param busyAfter      busy processes sampled after the run
     * @param torchIdleCores the cores the PyTorch process used while DL4J was timed (-1 if not checked)
     * @param jvmIdleCores   the cores the JVM used while PyTorch was timed (-1 if not checked)
     * @return the reasons the machine was not quiet; empty when it was
     */
    static List<String> notQuietReasons(double otherShare, List<String> busyBefore, List<String> busyAfter,
                                        double torchIdleCores, double jvmIdleCores) {
        List<String> reasons = new ArrayList<>();
        if (Double.isNaN(otherShare)) {
            reasons.add("the CPU time of other processes is unknown (no /proc/stat)");
        } else if (otherShare >= QUIET_SHARE) {
            reasons.add(String.format(Locale.ROOT, "other processes used %.1f%% of the machine's CPU time during the "
                    + "run (quiet: < %.0f%%)", 100 * otherShare, 100 * QUIET_SHARE));
        }
        if (!busyBefore.isEmpty()) {
            reasons.add("busy before the run: " + String.join(", ", busyBefore));
        }
        if (!busyAfter.isEmpty()) {
            reasons.add("busy after the run: " + String.join(", ", busyAfter));
        }
        if (torchIdleCores > BUSY_CORES) {
            reasons.add(String.format(Locale.ROOT, "the PyTorch process used %.2f cores while DL4J was timed "
                    + "(OpenMP threads spinning?)", torchIdleCores));
        }
        if (jvmIdleCores > BUSY_CORES) {
            reasons.add(String.format(Locale.ROOT, "the JVM used %.2f cores while PyTorch was timed (its JIT "
                    + "compiler and service threads, or OpenMP threads spinning?)", jvmIdleCores));
        }
        return reasons;
    }

    private static Map<Long, long[]> allTicks() {
        Map<Long, long[]> out = new HashMap<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(PROC, "[0-9]*")) {
            for (Path d : dirs) {
                long pid = Long.parseLong(d.getFileName().toString());
                long t = processTicks(pid);
                if (t >= 0) {
                    out.put(pid, new long[]{t});
                }
            }
        } catch (IOException | RuntimeException e) {
            return out;
        }
        return out;
    }

    private static String name(long pid) {
        try {
            String stat = Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"));
            return stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }
}
