package org.dtkd4j.core.data;

import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.IntFunction;

/**
 * Computes items {@code first .. end-1} of a function in order on one daemon worker thread, at most {@code depth}
 * finished items ahead of the consumer (plus the one being computed), and hands them out in the same order. The
 * items are exactly those the function returns, so consuming through a prefetcher or calling the function directly
 * gives the same sequence.
 *
 * <p>A failure of the function on the worker is handed to the consumer in order: {@link #next()} throws an
 * {@link IllegalStateException} with the worker's exception as cause, at the item that failed and on every later
 * call. The worker ends after the last item or the first failure; {@link #close()} stops it earlier and waits for
 * it, so no thread outlives a closed prefetcher. One consumer thread only.
 *
 * @param <T> the item type
 */
final class Prefetcher<T> implements AutoCloseable {

    /** An item or the failure that replaced it. */
    private record Outcome<T>(T item, Throwable failure) {
    }

    private final BlockingQueue<Outcome<T>> queue;
    private final Thread worker;
    private final int end;
    /** The index of the next item to hand out. */
    private int nextIndex;
    private IllegalStateException failure;

    /**
     * Starts the worker.
     *
     * @param threadName the worker thread's name, for thread dumps
     * @param first      the first item's index
     * @param end        one past the last item's index, at least {@code first}
     * @param depth      finished items held ahead of the consumer, at least 1
     * @param function   computes item {@code i}; called on the worker thread, once per item, in order
     */
    Prefetcher(String threadName, int first, int end, int depth, IntFunction<? extends T> function) {
        if (depth < 1 || end < first) {
            throw new IllegalArgumentException("depth must be >= 1 and end >= first, found depth " + depth
                    + ", items " + first + ".." + end);
        }
        this.nextIndex = first;
        this.end = end;
        this.queue = new ArrayBlockingQueue<>(depth);
        this.worker = new Thread(() -> produce(function, first), threadName);
        worker.setDaemon(true);
        worker.start();
    }

    private void produce(IntFunction<? extends T> function, int first) {
        try {
            for (int i = first; i < end; i++) {
                Outcome<T> outcome;
                try {
                    outcome = new Outcome<>(function.apply(i), null);
                } catch (Throwable t) {
                    outcome = new Outcome<>(null, t);
                }
                queue.put(outcome);
                if (outcome.failure() != null) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            // close() stopped the worker: nobody will take the remaining items
        }
    }

    /** @return true if an item is left to take */
    boolean hasNext() {
        return nextIndex < end;
    }

    /**
     * Takes the next item, waiting for the worker if needed.
     *
     * @return item {@code first + k} for the {@code k}-th call (from 0)
     * @throws NoSuchElementException if all items were taken
     * @throws IllegalStateException  if the function failed on this or an earlier item (the cause is its
     *                                exception), or the calling thread was interrupted while waiting
     */
    T next() {
        if (failure != null) {
            throw failure;
        }
        if (!hasNext()) {
            throw new NoSuchElementException(worker.getName() + ": all items up to " + (end - 1) + " were taken");
        }
        Outcome<T> outcome;
        try {
            outcome = queue.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(worker.getName() + ": interrupted while waiting for item " + nextIndex, e);
        }
        if (outcome.failure() != null) {
            failure = new IllegalStateException(worker.getName() + " failed on item " + nextIndex + ": "
                    + outcome.failure(), outcome.failure());
            throw failure;
        }
        nextIndex++;
        return outcome.item();
    }

    /** Stops the worker (dropping items not yet taken) and waits until its thread has ended. Idempotent. */
    @Override
    public void close() {
        worker.interrupt();
        boolean interrupted = false;
        while (worker.isAlive()) {
            try {
                worker.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
