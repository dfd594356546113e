package org.dtkd4j.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PrefetcherTest {

    @Test
    void handsOutItemsInOrderFromADaemonThread() {
        try (Prefetcher<String> prefetcher = new Prefetcher<>("test-order", 0, 5, 2,
                i -> i + "@" + Thread.currentThread().getName() + ":" + Thread.currentThread().isDaemon())) {
            for (int i = 0; i < 5; i++) {
                assertThat(prefetcher.hasNext()).isTrue();
                assertThat(prefetcher.next()).isEqualTo(i + "@test-order:true");
            }
            assertThat(prefetcher.hasNext()).isFalse();
            assertThatThrownBy(prefetcher::next).isInstanceOf(NoSuchElementException.class)
                    .hasMessage("test-order: all items up to 4 were taken");
        }
    }

    @Test
    void workerRunsAtMostDepthItemsAhead() throws InterruptedException {
        AtomicInteger computed = new AtomicInteger();
        try (Prefetcher<Integer> prefetcher =
                     new Prefetcher<>("test-depth", 0, 100, 3, i -> computed.incrementAndGet())) {
            // The worker fills the queue (3) and blocks putting the 4th item.
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (computed.get() < 4 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            Thread.sleep(50);
            assertThat(computed.get()).isEqualTo(4);
            prefetcher.next();
            deadline = System.nanoTime() + 5_000_000_000L;
            while (computed.get() < 5 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            Thread.sleep(50);
            assertThat(computed.get()).isEqualTo(5);
        }
    }

    @Test
    void workerFailureReachesTheConsumerInOrderAndStays() {
        IllegalArgumentException boom = new IllegalArgumentException("bad item");
        try (Prefetcher<Integer> prefetcher = new Prefetcher<>("test-failure", 0, 10, 2, i -> {
            if (i == 3) {
                throw boom;
            }
            return i;
        })) {
            assertThat(prefetcher.next()).isZero();
            assertThat(prefetcher.next()).isEqualTo(1);
            assertThat(prefetcher.next()).isEqualTo(2);
            assertThatThrownBy(prefetcher::next).isInstanceOf(IllegalStateException.class)
                    .hasMessage("test-failure failed on item 3: java.lang.IllegalArgumentException: bad item")
                    .hasCause(boom);
            assertThatThrownBy(prefetcher::next).isInstanceOf(IllegalStateException.class).hasCause(boom);
        }
        assertThat(liveThread("test-failure")).isFalse();
    }

    @Test
    void closeStopsABlockedWorker() {
        Prefetcher<Integer> prefetcher = new Prefetcher<>("test-close", 0, 1000, 1, i -> i);
        assertThat(prefetcher.next()).isZero();

        prefetcher.close();

        assertThat(liveThread("test-close")).isFalse();
        prefetcher.close();
    }

    @Test
    void startsAtTheFirstItemIndex() {
        try (Prefetcher<Integer> prefetcher = new Prefetcher<>("test-first", 7, 9, 1, i -> i * 10)) {
            assertThat(prefetcher.next()).isEqualTo(70);
            assertThat(prefetcher.next()).isEqualTo(80);
            assertThat(prefetcher.hasNext()).isFalse();
        }
    }

    @Test
    void depthMustBePositive() {
        assertThatThrownBy(() -> new Prefetcher<Integer>("test-depth-0", 0, 1, 0, i -> i))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("depth must be >= 1 and end >= first, found depth 0, items 0..1");
    }

    /** True if a live thread has this exact name. The worker has ended once the last item is handed out. */
    static boolean liveThread(String name) {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals(name) && t.isAlive());
    }
}
