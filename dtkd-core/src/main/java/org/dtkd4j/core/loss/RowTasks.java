package org.dtkd4j.core.loss;

import java.util.stream.IntStream;

/**
 * How the rows of a batch are computed: as one range on the calling thread, or as {@code chunks} contiguous ranges run
 * in parallel on the common fork-join pool (the calling thread takes part). Every per-row computation of the closed
 * form reads only its own row's inputs and writes only its own row's outputs, with scratch space that it overwrites
 * for every row, and every sum over rows is taken afterwards on the calling thread, in row order: results are
 * bit-identical however the rows are split. The DL4J loss adapter moves rows between ND4J arrays and the closed form's
 * {@code double[][]} the same way ({@code org.dtkd4j.core.dl4j.Matrices}). A row of a result is allocated by the task
 * that fills it: the JVM zeroes a new array where it is allocated, so the zeroing is shared across the threads and
 * done just before the row is written (allocating every row beforehand on the calling thread made KD's closed form
 * on 256 rows of 1000 classes about 1.1 times slower).
 *
 * @param chunks the number of row ranges, {@code >= 1} (fewer when the batch has fewer rows)
 */
public record RowTasks(int chunks) {

    /**
     * The smallest batch ({@code N·C} logits) split across threads: below it a fork-join round trip costs more than
     * the rows it would share out.
     */
    static final long PARALLEL_ELEMENTS = 1 << 16;

    /** Every row on the calling thread. */
    public static final RowTasks SEQUENTIAL = new RowTasks(1);

    /** @throws IllegalArgumentException if {@code chunks < 1} */
    public RowTasks {
        if (chunks < 1) {
            throw new IllegalArgumentException("row tasks need at least 1 chunk, found " + chunks);
        }
    }

    /**
     * @param n rows
     * @param c classes
     * @return {@link #SEQUENTIAL} below {@link #PARALLEL_ELEMENTS}, else four ranges per available processor (so
     *         that a core taken by another process delays a small share of the rows)
     */
    public static RowTasks forBatch(int n, int c) {
        if ((long) n * c < PARALLEL_ELEMENTS) {
            return SEQUENTIAL;
        }
        // asked only here: in a container the JVM reads the cgroup files on every call (tens of microseconds)
        int processors = Runtime.getRuntime().availableProcessors();
        return processors == 1 ? SEQUENTIAL : new RowTasks(4 * processors);
    }

    /** A computation over the rows {@code [from, to)}. */
    @FunctionalInterface
    public interface Range {
        /**
         * @param from the first row
         * @param to   one past the last row
         */
        void rows(int from, int to);
    }

    /**
     * Runs {@code body} over rows {@code [0, n)}, split into at most {@link #chunks} contiguous ranges of nearly
     * equal size, and returns when all have run.
     */
    public void run(int n, Range body) {
        int k = Math.min(chunks, n);
        if (k <= 1) {
            body.rows(0, n);
            return;
        }
        IntStream.range(0, k).parallel()
                .forEach(j -> body.rows((int) ((long) j * n / k), (int) ((long) (j + 1) * n / k)));
    }
}
