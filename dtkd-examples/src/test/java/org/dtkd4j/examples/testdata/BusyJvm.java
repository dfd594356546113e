package org.dtkd4j.examples.testdata;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dtkd4j.zoo.CifarZoo;
import org.dtkd4j.zoo.ZooSpec;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A second JVM that keeps every core busy with the kernels training runs on: it trains a zoo resnet8 on random
 * batches (oneDNN convolutions, BatchNorm and their backward passes, OpenBLAS products), with as many OpenMP threads
 * as the machine has cores, until {@link #close()} (or its time limit, or the end of the JVM that started it).
 *
 * <pre>{@code
 * try (BusyJvm busy = BusyJvm.start(600)) {
 *     long before = busy.rounds();
 *     ... work measured under contention ...
 *     assertThat(busy.rounds()).isGreaterThan(before);   // it kept working meanwhile
 * }
 * }</pre>
 */
public final class BusyJvm implements AutoCloseable {

    private static final String READY = "busy";
    private static final String ROUND = "round";

    private final Process process;
    private final AtomicLong rounds = new AtomicLong();
    private final List<String> output = new ArrayList<>();

    private BusyJvm(Process process) {
        this.process = process;
    }

    /**
     * Starts the second JVM on this JVM's classpath and waits until it has trained its first step.
     *
     * @param maxSeconds the child stops on its own after this many seconds, in case it is never closed
     * @return the running JVM
     * @throws IllegalStateException if it does not report being busy within two minutes
     */
    public static BusyJvm start(int maxSeconds) {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(java.toString(), "-Xmx1g", "-cp", System.getProperty("java.class.path"),
                BusyJvm.class.getName(), Integer.toString(maxSeconds)).redirectErrorStream(true);
        pb.environment().put("OMP_NUM_THREADS", Integer.toString(Runtime.getRuntime().availableProcessors()));
        BusyJvm busy;
        try {
            busy = new BusyJvm(pb.start());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + java, e);
        }
        busy.awaitReady();
        return busy;
    }

    private void awaitReady() {
        Object ready = new Object();
        boolean[] isReady = {false};
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    if (line.equals(ROUND)) {
                        rounds.incrementAndGet();
                    } else if (line.equals(READY)) {
                        synchronized (ready) {
                            isReady[0] = true;
                            ready.notifyAll();
                        }
                    } else {
                        synchronized (output) {
                            output.add(line);
                        }
                    }
                }
            } catch (IOException ignored) {
                // the child ended: rounds() stops growing, which is what callers check
            }
        }, "busy-jvm-output");
        reader.setDaemon(true);
        reader.start();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        synchronized (ready) {
            while (!isReady[0] && process.isAlive() && System.nanoTime() < deadline) {
                try {
                    ready.wait(200);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            if (!isReady[0]) {
                close();
                synchronized (output) {
                    throw new IllegalStateException("the busy JVM did not start working within 2 minutes, alive "
                            + process.isAlive() + ", output: " + String.join(" | ", output));
                }
            }
        }
    }

    /** @return the training steps the child has finished so far */
    public long rounds() {
        return rounds.get();
    }

    /** @return whether the child still runs */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** Stops the child and waits for it to end. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The child: trains resnet8 on random 3x32x32 batches of 64, printing {@value #READY} after the first step and
     * {@value #ROUND} after each, until the time limit or the end of its parent.
     *
     * @param args the time limit in seconds
     */
    public static void main(String[] args) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(args[0]));
        ProcessHandle parent = ProcessHandle.current().parent().orElse(null);
        ComputationGraph net = CifarZoo.build("resnet8", ZooSpec.builder().numClasses(10).seed(1).build());
        INDArray x = Nd4j.rand(DataType.FLOAT, 64, 3, 32, 32);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 64, 10);
        for (int i = 0; i < 64; i++) {
            y.putScalar(i, i % 10, 1.0);
        }
        DataSet batch = new DataSet(x, y);
        boolean first = true;
        while (System.nanoTime() < end && (parent == null || parent.isAlive())) {
            net.fit(batch);
            System.out.println(first ? READY : ROUND);
            System.out.flush();
            first = false;
        }
        System.exit(0);
    }
}
