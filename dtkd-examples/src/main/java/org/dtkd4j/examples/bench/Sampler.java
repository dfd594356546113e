package org.dtkd4j.examples.bench;

import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;

/**
 * Times a repeated action the same way for every row: {@code warmup} untimed runs, then {@code epochs} ×
 * {@code iterations} timed runs. After every run it reads the JVM heap in use, the off-heap bytes ND4J tracks
 * ({@code MemoryManager.allocatedMemory}: JavaCPP's {@link Pointer#totalBytes()} plus ND4J's tracked allocations and
 * workspaces) and the process's resident set ({@link Pointer#physicalBytes()}) for the peaks; after
 * every epoch it collects garbage (so ND4J's native buffers of dead arrays are freed) and reads them again for the
 * growth check. Neither reading nor collecting is inside a timed run.
 */
final class Sampler {

    private final BenchOptions options;

    Sampler(BenchOptions options) {
        this.options = options;
    }

    /**
     * @param id      row identifier
     * @param label   what the row measures
     * @param samples examples per run
     * @param action  one run
     * @return the measurement
     */
    Measurement measure(String id, String label, int samples, Runnable action) {
        for (int i = 0; i < options.warmup(); i++) {
            action.run();
        }
        int k = options.epochs();
        double[] ms = new double[k * options.iterations()];
        long[] epochHeap = new long[k];
        long[] epochOff = new long[k];
        long[] epochRss = new long[k];
        long peakHeap = heap();
        long peakOff = offHeap();
        long peakRss = Pointer.physicalBytes();
        int t = 0;
        for (int e = 0; e < k; e++) {
            for (int i = 0; i < options.iterations(); i++) {
                long start = System.nanoTime();
                action.run();
                ms[t++] = (System.nanoTime() - start) / 1e6;
                peakHeap = Math.max(peakHeap, heap());
                peakOff = Math.max(peakOff, offHeap());
                peakRss = Math.max(peakRss, Pointer.physicalBytes());
            }
            System.gc();
            epochHeap[e] = heap();
            epochOff[e] = offHeap();
            epochRss[e] = Pointer.physicalBytes();
        }
        return new Measurement(id, label, samples, median(ms), peakHeap, peakOff, peakRss, epochHeap, epochOff,
                epochRss);
    }

    /** @return the median of the values (mean of the middle two for an even count) */
    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int mid = v.length / 2;
        return v.length % 2 == 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
    }

    private static long offHeap() {
        return Nd4j.getMemoryManager().allocatedMemory(Nd4j.getAffinityManager().getDeviceForCurrentThread());
    }

    private static long heap() {
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }
}
