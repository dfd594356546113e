package org.dtkd4j.examples.bench;

import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * One row measured over the rounds of its group ({@link Rounds}), on either side.
 *
 * @param id                row identifier, e.g. {@code step/resnet32x4->resnet8x4/DTKD}; PyTorch rows carry the
 *                          {@link Side#PYTORCH} prefix {@code torch:}
 * @param label             what the row measures, for the table
 * @param side              who computed it
 * @param samples           examples per iteration (for samples/s)
 * @param iterationsPerRound timed iterations in each round
 * @param roundMs           per round, the median milliseconds of its timed iterations (the values of the
 *                          statistics and of the paired ratios)
 * @param peakHeapBytes     largest JVM heap in use after a run of the row, or -1 for a PyTorch row
 * @param peakOffHeapBytes  largest off-heap allocation ND4J tracks after a run of the row, or -1 for a PyTorch row
 * @param peakRssBytes      largest resident set of the computing process after a run of the row (process-wide: the
 *                          other rows of the group are alive in the same process)
 * @param epochRssBytes     resident set of the computing process after each block of rounds (after a garbage
 *                          collection on the JVM), for the growth check
 */
public record Measurement(String id, String label, Side side, int samples, int iterationsPerRound, double[] roundMs,
                          long peakHeapBytes, long peakOffHeapBytes, long peakRssBytes, long[] epochRssBytes) {

    /** Memory growth over the blocks below this many bytes is noise (allocator and JIT), never flagged. */
    public static final long GROWTH_TOLERANCE_BYTES = 32L << 20;

    /** Who computed a row. */
    public enum Side {
        /** This JVM. */
        DL4J,
        /** The PyTorch process. */
        PYTORCH;

        /** @return the id of the row of this side measuring what {@code id} names */
        public String id(String id) {
            return this == DL4J ? id : "torch:" + id;
        }
    }

    /** Validates and copies the arrays. */
    public Measurement {
        Objects.requireNonNull(id, "id");
        if (roundMs.length == 0) {
            throw new IllegalArgumentException("row " + id + " needs at least one round, found none");
        }
        roundMs = roundMs.clone();
        epochRssBytes = epochRssBytes.clone();
    }

    @Override
    public double[] roundMs() {
        return roundMs.clone();
    }

    @Override
    public long[] epochRssBytes() {
        return epochRssBytes.clone();
    }

    /** @return median, quartiles and range of the per-round times */
    public Stats.Summary summary() {
        return Stats.summarize(roundMs);
    }

    /** @return the median over the rounds */
    public double medianMs() {
        return summary().median();
    }

    /** @return samples per second at the median time */
    public double samplesPerSecond() {
        return samples * 1000.0 / medianMs();
    }

    /**
     * Whether memory grows across the blocks of rounds: the resident set after every block exceeds the one before and
     * the total increase exceeds {@link #GROWTH_TOLERANCE_BYTES} plus 5% of the first value. A single block cannot
     * show growth.
     *
     * @return {@code true} if memory grows
     */
    public boolean memoryGrows() {
        long[] v = epochRssBytes;
        if (v.length < 2) {
            return false;
        }
        for (int i = 1; i < v.length; i++) {
            if (v[i] <= v[i - 1]) {
                return false;
            }
        }
        return v[v.length - 1] - v[0] > GROWTH_TOLERANCE_BYTES + v[0] / 20;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Measurement m && id.equals(m.id) && label.equals(m.label) && side == m.side
                && samples == m.samples && iterationsPerRound == m.iterationsPerRound
                && Arrays.equals(roundMs, m.roundMs) && peakHeapBytes == m.peakHeapBytes
                && peakOffHeapBytes == m.peakOffHeapBytes && peakRssBytes == m.peakRssBytes
                && Arrays.equals(epochRssBytes, m.epochRssBytes);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Objects.hash(id, label, side, samples, iterationsPerRound, peakHeapBytes, peakOffHeapBytes,
                peakRssBytes) + Arrays.hashCode(roundMs)) + Arrays.hashCode(epochRssBytes);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "Measurement[%s: median %.3f ms over %d rounds]", id, medianMs(),
                roundMs.length);
    }
}
