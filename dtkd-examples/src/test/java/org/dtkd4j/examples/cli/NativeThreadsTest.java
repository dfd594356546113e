package org.dtkd4j.examples.cli;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Environment;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NativeThreadsTest {

    private static int[] settings() {
        Environment env = Nd4j.getEnvironment();
        return new int[]{env.maxMasterThreads(),
                NativeOpsHolder.getInstance().getDeviceNativeOps().ompGetMaxThreads(),
                Nd4j.factory().blas().getMaxThreads()};
    }

    @Test
    void aLimitSetsEveryPoolAndCloseRestoresThem() {
        int[] before = settings();
        int poolSize = Nd4j.getEnvironment().maxThreads();
        int limit = before[1] == 1 ? 2 : 1;
        try (NativeThreads threads = NativeThreads.limit(limit)) {
            assertThat(threads.threads()).isEqualTo(limit);
            assertThat(threads.describe()).isEqualTo("compute threads: " + limit + " (DTKD4J.THREADS)");
            // libnd4j's threads per op cannot exceed its pool, sized at start-up (1 under OMP_NUM_THREADS=1)
            assertThat(settings()).containsExactly(Math.min(limit, poolSize), limit, limit);
            assertThat(Nd4j.getEnvironment().maxThreads()).as("fixed at start-up in M2.1").isEqualTo(poolSize);
        }
        assertThat(settings()).containsExactly(before);
    }

    @Test
    void zeroKeepsTheBackendsSettingsAndNegativeIsRejected() {
        int[] before = settings();
        try (NativeThreads threads = NativeThreads.limit(0)) {
            assertThat(threads.threads()).isZero();
            assertThat(settings()).containsExactly(before);
            assertThat(threads.describe()).isEqualTo("compute threads: " + before[1] + " ("
                    + (System.getenv("OMP_NUM_THREADS") != null ? "OMP_NUM_THREADS" : "one per core") + ")");
        }
        assertThat(settings()).containsExactly(before);
        assertThatThrownBy(() -> NativeThreads.limit(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("DTKD4J.THREADS must be >= 0, found -1");
    }
}
