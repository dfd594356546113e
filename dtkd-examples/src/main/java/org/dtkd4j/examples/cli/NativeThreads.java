package org.dtkd4j.examples.cli;

import org.nd4j.linalg.factory.Environment;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOps;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * The compute-thread limit of {@code DTKD4J.THREADS}, for the duration of one command. A limit of {@code n} sets
 * every thread count of ND4J 1.0.0-M2.1 that can change after start-up:
 * <ul>
 *   <li>libnd4j's threads per op ({@code Nd4j.getEnvironment().setMaxMasterThreads(n)}), which bound its
 *   parallel loops;</li>
 *   <li>OpenMP, which the oneDNN kernels (convolution, BatchNorm, pooling) use: {@code omp_set_num_threads(n)}
 *   through {@link NativeOps#setOmpNumThreads(int)}, as ND4J does at start-up for the environment variable
 *   {@code OMP_NUM_THREADS};</li>
 *   <li>the BLAS library (OpenBLAS on the CPU backend) for matrix products: {@code Nd4j.factory().blas()
 *   .setMaxThreads(n)}, on the CPU backend only.</li>
 * </ul>
 * libnd4j's thread pool itself keeps the size it got at start-up: M2.1 ignores {@code Environment.setMaxThreads}
 * (measured: the value does not change), and its threads per op cannot exceed that pool (a limit of 2 in a process
 * started with {@code OMP_NUM_THREADS=1} sets OpenMP and BLAS to 2, libnd4j's threads per op stay 1), so a process that must never run more than {@code n} native threads also
 * needs {@code OMP_NUM_THREADS=n} in its environment. {@link #close()} restores the previous values, so a command
 * run from a test or another program leaves the process as it found it. A limit of 0 changes nothing (the backend's
 * default: one thread per physical core).
 */
final class NativeThreads implements AutoCloseable {

    private final int threads;
    private final int maxMasterThreads;
    private final int ompThreads;
    private final int blasThreads;

    private NativeThreads(int threads) {
        this.threads = threads;
        Environment env = Nd4j.getEnvironment();
        NativeOps ops = NativeOpsHolder.getInstance().getDeviceNativeOps();
        boolean cpu = env.isCPU();
        this.maxMasterThreads = env.maxMasterThreads();
        this.ompThreads = ops.ompGetMaxThreads();
        this.blasThreads = cpu ? Nd4j.factory().blas().getMaxThreads() : 0;
        apply(threads, threads, cpu ? threads : 0);
    }

    /**
     * @param threads the limit, {@code >= 0}; 0 keeps the backend's settings
     * @return the limit in force until {@link #close()}
     * @throws IllegalArgumentException for a negative limit
     */
    static NativeThreads limit(int threads) {
        if (threads < 0) {
            throw new IllegalArgumentException("DTKD4J.THREADS must be >= 0, found " + threads);
        }
        return threads == 0 ? new NativeThreads() : new NativeThreads(threads);
    }

    /** No limit: nothing to set or restore. */
    private NativeThreads() {
        this.threads = 0;
        this.maxMasterThreads = 0;
        this.ompThreads = 0;
        this.blasThreads = 0;
    }

    /** @return the limit, 0 for none */
    int threads() {
        return threads;
    }

    /**
     * The thread count a run computes with and where it comes from, e.g. {@code compute threads: 2 (one per core)}.
     * A training run's numbers depend on it (the oneDNN convolution's weight gradient sums its partial results per
     * thread), so two runs of one configuration are identical when it is the same.
     *
     * @return {@code compute threads: N (SOURCE)}, the source being {@code DTKD4J.THREADS}, {@code OMP_NUM_THREADS}
     *         or {@code one per core}; {@code N} is OpenMP's thread count, which the limit or
     *         {@code OMP_NUM_THREADS} also gives libnd4j's op threads and OpenBLAS
     */
    String describe() {
        int n = threads > 0 ? threads : NativeOpsHolder.getInstance().getDeviceNativeOps().ompGetMaxThreads();
        String source = threads > 0 ? "DTKD4J.THREADS"
                : System.getenv("OMP_NUM_THREADS") != null ? "OMP_NUM_THREADS" : "one per core";
        return "compute threads: " + n + " (" + source + ")";
    }

    private static void apply(int master, int omp, int blas) {
        Nd4j.getEnvironment().setMaxMasterThreads(master);
        NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(omp);
        if (blas > 0) {
            Nd4j.factory().blas().setMaxThreads(blas);
        }
    }

    /** Restores the thread settings found when the limit was set. */
    @Override
    public void close() {
        if (threads > 0) {
            apply(maxMasterThreads, ompThreads, blasThreads);
        }
    }
}
