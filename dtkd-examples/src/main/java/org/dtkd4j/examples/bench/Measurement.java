package org.dtkd4j.examples.bench;

import java.util.Arrays;

/**
 * One row measured on the DL4J side.
 *
 * @param id              row identifier shared with the PyTorch side, e.g. {@code step/resnet32x4->resnet8x4/DTKD}
 * @param label           what the row measures, for the table
 * @param samples         examples per iteration (for samples/s)
 * @param medianMs        median milliseconds of one timed iteration
 * @param peakHeapBytes   largest JVM heap in use after an iteration
 * @param peakOffHeapBytes largest off-heap allocation ND4J tracks (JavaCPP {@code Pointer.totalBytes()}, ND4J
 *                        allocations and workspaces) after an iteration
 * @param peakRssBytes    largest resident set size of the process ({@code Pointer.physicalBytes()}) after an iteration
 * @param epochHeapBytes  heap in use after each epoch (after a garbage collection)
 * @param epochOffHeapBytes ND4J-tracked off-heap bytes after each epoch
 * @param epochRssBytes   resident set size after each epoch
 */
public record Measurement(String id, String label, int samples, double medianMs, long peakHeapBytes,
                          long peakOffHeapBytes, long peakRssBytes, long[] epochHeapBytes, long[] epochOffHeapBytes,
                          long[] epochRssBytes) {

    /** Memory growth over the epochs below this many bytes is noise (allocator and JIT), never flagged. */
    public static final long GROWTH_TOLERANCE_BYTES = 32L << 20;

    /** Copies the arrays. */
    public Measurement {
        epochHeapBytes = epochHeapBytes.clone();
        epochOffHeapBytes = epochOffHeapBytes.clone();
        epochRssBytes = epochRssBytes.clone();
    }

    @Override
    public long[] epochHeapBytes() {
        return epochHeapBytes.clone();
    }

    @Override
    public long[] epochOffHeapBytes() {
        return epochOffHeapBytes.clone();
    }

    @Override
    public long[] epochRssBytes() {
        return epochRssBytes.clone();
    }

    /** @return samples per second at the median time */
    public double samplesPerSecond() {
        return samples * 1000.0 / medianMs;
    }

    /**
     * Whether memory grows across the epochs: for the heap, the off-heap bytes or the resident set, the value after
     * every epoch exceeds the one before and the total increase exceeds {@link #GROWTH_TOLERANCE_BYTES} plus 5% of
     * the first value. A single epoch cannot show growth.
     *
     * @return {@code true} if memory grows
     */
    public boolean memoryGrows() {
        return grows(epochHeapBytes) || grows(epochOffHeapBytes) || grows(epochRssBytes);
    }

    private static boolean grows(long[] v) {
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
        return o instanceof Measurement m && id.equals(m.id) && label.equals(m.label) && samples == m.samples
                && Double.compare(medianMs, m.medianMs) == 0 && peakHeapBytes == m.peakHeapBytes
                && peakOffHeapBytes == m.peakOffHeapBytes && peakRssBytes == m.peakRssBytes
                && Arrays.equals(epochHeapBytes, m.epochHeapBytes) && Arrays.equals(epochOffHeapBytes, m.epochOffHeapBytes)
                && Arrays.equals(epochRssBytes, m.epochRssBytes);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(epochHeapBytes) + Arrays.hashCode(epochOffHeapBytes))
                + Arrays.hashCode(epochRssBytes) + java.util.Objects.hash(id, label, samples, medianMs);
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "Measurement[%s: %.3f ms, %d samples, rss per epoch %s]", id,
                medianMs, samples, Arrays.toString(epochRssBytes));
    }
}
