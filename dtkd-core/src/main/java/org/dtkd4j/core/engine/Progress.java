package org.dtkd4j.core.engine;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Progress of a long loop with rate and ETA. On a terminal it redraws one line ({@code \r}) at most a few times a
 * second; elsewhere (logs, CI, pipes) it prints a plain line at most every {@code plainEverySeconds} and at the end,
 * so logs stay readable.
 *
 * <pre>
 *   epoch 3/240 [##########----------]  50%  391/782 batches  212.4 img/s  ETA 0:01:55
 * </pre>
 */
public final class Progress {

    private final PrintStream out;
    private final boolean terminal;
    private final LongSupplier nanoClock;
    private final double plainEverySeconds;
    private String label = "";
    private long total;
    private long done;
    private long units;
    private long startNanos;
    private long lastPrintNanos;

    /**
     * @param out where to print
     * @param terminal redraw one line in place (true) or print plain lines (false)
     * @param plainEverySeconds minimum interval between plain lines
     * @param nanoClock time source in nanoseconds (tests pass a fake clock)
     */
    public Progress(PrintStream out, boolean terminal, double plainEverySeconds, LongSupplier nanoClock) {
        this.out = out;
        this.terminal = terminal;
        this.plainEverySeconds = plainEverySeconds;
        this.nanoClock = nanoClock;
    }

    /**
     * Progress on standard error: in place on an interactive terminal, plain lines every 30 s otherwise.
     *
     * @return a progress printer for this process
     */
    public static Progress onStderr() {
        return new Progress(System.err, System.console() != null, 30, System::nanoTime);
    }

    /**
     * Starts a new loop.
     *
     * @param label shown first, e.g. {@code "epoch 3/240"}
     * @param totalSteps number of steps of the loop (&gt; 0)
     */
    public void start(String label, long totalSteps) {
        this.label = label;
        this.total = Math.max(1, totalSteps);
        this.done = 0;
        this.units = 0;
        this.startNanos = nanoClock.getAsLong();
        this.lastPrintNanos = startNanos;
    }

    /**
     * Records finished steps.
     *
     * @param steps steps finished since the last call
     * @param workUnits items processed by them (e.g. images), for the rate
     */
    public void step(long steps, long workUnits) {
        done += steps;
        units += workUnits;
        long now = nanoClock.getAsLong();
        double sincePrint = (now - lastPrintNanos) / 1e9;
        if (terminal ? sincePrint >= 0.25 : sincePrint >= plainEverySeconds) {
            lastPrintNanos = now;
            print(now, false);
        }
    }

    /** Prints the final line of the loop. */
    public void finish() {
        print(nanoClock.getAsLong(), true);
    }

    /**
     * @param now current time in nanoseconds
     * @return the status line for the current state
     */
    String line(long now) {
        double elapsed = Math.max(1e-9, (now - startNanos) / 1e9);
        double fraction = Math.min(1.0, (double) done / total);
        int width = 20;
        int filled = (int) Math.round(fraction * width);
        String bar = "#".repeat(filled) + "-".repeat(width - filled);
        double rate = units / elapsed;
        String eta = done == 0 ? "?" : format(Duration.ofMillis((long) (elapsed * (total - done) / done * 1000)));
        return String.format(Locale.ROOT, "%s [%s] %3d%%  %d/%d  %.1f/s  %s %s", label, bar,
                (int) Math.floor(fraction * 100), done, total, rate,
                done >= total ? "took" : "ETA", done >= total ? format(Duration.ofMillis((long) (elapsed * 1000))) : eta);
    }

    private void print(long now, boolean last) {
        String line = line(now);
        if (terminal) {
            out.print("\r" + line + (last ? System.lineSeparator() : ""));
        } else {
            out.println(line);
        }
        out.flush();
    }

    /**
     * @param d a duration
     * @return {@code H:MM:SS}
     */
    static String format(Duration d) {
        long s = d.getSeconds();
        return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
    }
}
