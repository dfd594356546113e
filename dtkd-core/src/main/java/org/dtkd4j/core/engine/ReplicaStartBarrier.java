package org.dtkd4j.core.engine;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.parallelism.ParallelWrapper;
import org.deeplearning4j.parallelism.factory.DefaultTrainerContext;
import org.deeplearning4j.parallelism.trainer.DefaultTrainer;
import org.deeplearning4j.parallelism.trainer.Trainer;

import java.lang.reflect.Field;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The trainers of one {@link ParallelWrapper} fit, such that worker 0 (which trains the student itself) takes no
 * step before every replica has copied the student's parameters and updater state.
 *
 * <p>DL4J 1.0.0-M2.1's {@code DefaultTrainer} builds each replica on its own thread when that thread starts: it
 * copies {@code student.params()}, the updater state (momentum) and, with the configuration, the iteration counter,
 * under a lock of its own, while worker 0 trains the student in place as soon as it gets its first batch. When a
 * replica's set-up is slow (always in the first two-worker fit of a JVM, now and then later), it copies the student
 * after worker 0's first step: it starts the epoch one step ahead, every averaged round then differs, and two runs
 * with the same seed end with different parameters (on the tiny test student: L1 distance 3.26 after the first
 * epoch). With this context, worker 0 waits until every replica has finished its set-up (DL4J's {@code postInit},
 * which follows the copy), so every worker starts the epoch from the student's state and a run is reproducible.
 */
final class ReplicaStartBarrier extends DefaultTrainerContext {

    /** How long worker 0 waits for the replicas before it gives up with an exception. */
    private static final long TIMEOUT_MINUTES = 10;

    private final CountDownLatch replicasReady;

    /**
     * Makes a wrapper's trainers hold worker 0 back until the replicas are set up. {@code
     * ParallelWrapper.Builder.trainerFactory} cannot do this: in {@code AVERAGING} mode {@code build()} replaces the
     * factory with a {@link DefaultTrainerContext} (DL4J 1.0.0-M2.1), so the factory is set on the built wrapper,
     * before its first {@code fit} creates the trainers.
     *
     * @param wrapper a wrapper that has not been fit yet
     * @param workers its worker count, &gt;= 1
     * @throws IllegalStateException if this DL4J version has no such field
     */
    static void install(ParallelWrapper wrapper, int workers) {
        try {
            Field context = ParallelWrapper.class.getDeclaredField("trainerContext");
            context.setAccessible(true);
            context.set(wrapper, new ReplicaStartBarrier(workers));
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("cannot set the trainer factory of DL4J's ParallelWrapper: " + e, e);
        }
    }

    private ReplicaStartBarrier(int workers) {
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be >= 1, found " + workers);
        }
        this.replicasReady = new CountDownLatch(workers - 1);
    }

    @Override
    public Trainer create(String uuid, int threadId, Model model, int rootDevice, boolean useMDS,
            ParallelWrapper wrapper, WorkspaceMode mode, int averagingFrequency) {
        return new BarrierTrainer(replicasReady, uuid, threadId, model, useMDS, wrapper, mode, averagingFrequency);
    }

    /** DL4J's trainer, with worker 0 held back until the replicas are set up. */
    private static final class BarrierTrainer extends DefaultTrainer {

        private final CountDownLatch replicasReady;

        /** The fields DL4J's {@code DefaultTrainerContext} sets through the trainer's builder. */
        BarrierTrainer(CountDownLatch replicasReady, String uuid, int threadId, Model model, boolean useMDS,
                ParallelWrapper wrapper, WorkspaceMode mode, int averagingFrequency) {
            this.replicasReady = replicasReady;
            this.originalModel = model;
            this.replicatedModel = model;
            this.threadId = threadId;
            this.parallelWrapper = wrapper;
            this.workspaceMode = mode;
            this.useMDS = useMDS;
            this.uuid = uuid + "_thread_" + threadId;
            this.averagingFrequency = averagingFrequency;
            setName("DefaultTrainer thread " + threadId);
            setDaemon(true);
        }

        /** A replica whose set-up fails releases worker 0 too; DL4J then rethrows its exception to the caller. */
        @Override
        public void run() {
            try {
                super.run();
            } finally {
                if (threadId != 0) {
                    replicasReady.countDown();
                }
            }
        }

        @Override
        protected void postInit() {
            super.postInit();
            if (threadId != 0) {
                replicasReady.countDown();
                return;
            }
            try {
                if (!replicasReady.await(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                    throw new IllegalStateException("data-parallel training: " + replicasReady.getCount()
                            + " replicas were not set up after " + TIMEOUT_MINUTES + " minutes");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the data-parallel replicas", e);
            }
        }
    }
}
