package org.dtkd4j.examples.cli;

import org.nd4j.linalg.factory.Environment;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOps;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * The compute-thread limit of {@code DTKD4J.THREADS}, for the duration of one command. ND4J 1.0.0-M2.1 computes on
 * three thread pools, and a limit of {@code n} sets all of them:
 * <ul>
 *   <li>libnd4j's own op threads: {@code Nd4j.getEnvironment().setMaxThreads(n)} and
 *   {@code setMaxMasterThreads(n)};</li>
 *   <li>OpenMP, which the oneDNN kernels (convolution, BatchNorm, pooling) and libnd4j's OpenMP loops use:
 *   {@code omp_set_num_threads(n)} through {@link NativeOps#setOmpNumThreads(int)} (what ND4J itself does at start-up
 *   with the environment variable {@code OMP_NUM_THREADS});</li>
 *   <li>the BLAS library (OpenBLAS on the CPU backend) for matrix products: {@code Nd4j.factory().blas()
 *   .setMaxThreads(n)}, on the CPU backend only.</li>
 * </ul>
 * {@link #close()} restores the previous values, so a command run from a test or another program leaves the process
 * as it found it. A limit of 0 changes nothing (the backend's default: one thread per physical core).
 */
final class NativeThreads implements AutoCloseable {

    private final int threads;
    private final int maxThreads;
    private final int maxMasterThreads;
    private final int ompThreads;
    private final int blasThreads;

    private NativeThreads(int threads) {
        this.threads = threads;
        Environment env = Nd4j.getEnvironment();
        NativeOps ops = NativeOpsHolder.getInstance().getDeviceNativeOps();
        boolean cpu = env.isCPU();
        this.maxThreads = env.maxThreads();
        this.maxMasterThreads = env.maxMasterThreads();
        this.ompThreads = ops.ompGetMaxThreads();
        this.blasThreads = cpu ? Nd4j.factory().blas().getMaxThreads() : 0;
        apply(threads, threads, threads, cpu ? threads : 0);
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
        this.maxThreads = 0;
        this.maxMasterThreads = 0;
        this.ompThreads = 0;
        this.blasThreads = 0;
    }

    /** @return the limit, 0 for none */
    int threads() {
        return threads;
    }

    private static void apply(int max, int master, int omp, int blas) {
        Environment env = Nd4j.getEnvironment();
        env.setMaxThreads(max);
        env.setMaxMasterThreads(master);
        NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(omp);
        if (blas > 0) {
            Nd4j.factory().blas().setMaxThreads(blas);
        }
    }

    /** Restores the thread settings found when the limit was set. */
    @Override
    public void close() {
        if (threads > 0) {
            apply(maxThreads, maxMasterThreads, ompThreads, blasThreads);
        }
    }
}
