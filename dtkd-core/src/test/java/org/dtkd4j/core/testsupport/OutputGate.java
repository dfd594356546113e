package org.dtkd4j.core.testsupport;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Keeps a test run's output readable: what a test prints reaches the console only when the test fails. DL4J
 * 1.0.0-M2.1 prints to {@code System.out} without a logger (SameDiff a line per op whenever it builds a gradient
 * function, the ONNX importer every node and initializer it meets), tens of thousands of lines per run, and the
 * training engine's progress lines would add more. Registered for every test run of a module through
 * {@code META-INF/services/org.junit.platform.launcher.TestExecutionListener}.
 *
 * <p>While a test plan runs, {@code System.out} and {@code System.err} write into one buffer; when a test or
 * container finishes, the buffer goes to the real standard output if it failed and is dropped otherwise. A line
 * starting with {@value #NOTE} (a test saying what it could not check, e.g. because an optional package is
 * missing) always goes straight through.
 */
public final class OutputGate implements TestExecutionListener {

    /** The start of a line that is always printed. */
    public static final String NOTE = "[not checked] ";

    private final Object lock = new Object();
    private final ByteArrayOutputStream held = new ByteArrayOutputStream();
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private PrintStream realOut;
    private PrintStream realErr;

    @Override
    public void testPlanExecutionStarted(TestPlan testPlan) {
        realOut = System.out;
        realErr = System.err;
        PrintStream gate = new PrintStream(new Gate(), true, StandardCharsets.UTF_8);
        System.setOut(gate);
        System.setErr(gate);
    }

    @Override
    public void executionFinished(TestIdentifier id, TestExecutionResult result) {
        synchronized (lock) {
            endLine();
            if (result.getStatus() == TestExecutionResult.Status.FAILED && held.size() > 0) {
                String where = id.getSource().filter(MethodSource.class::isInstance)
                        .map(src -> ((MethodSource) src).getClassName() + " ").orElse("");
                realOut.println("---- output of " + where + id.getDisplayName() + " ----");
                realOut.write(held.toByteArray(), 0, held.size());
                realOut.flush();
            }
            held.reset();
        }
    }

    @Override
    public void testPlanExecutionFinished(TestPlan testPlan) {
        synchronized (lock) {
            endLine();
            System.setOut(realOut);
            System.setErr(realErr);
        }
    }

    /** Moves a pending partial line into the held output. */
    private void endLine() {
        if (line.size() > 0) {
            held.write(line.toByteArray(), 0, line.size());
            line.reset();
        }
    }

    /** Splits the bytes into lines: notes go out at once, the rest is held. */
    private final class Gate extends OutputStream {
        @Override
        public void write(int b) {
            synchronized (lock) {
                line.write(b);
                if (b == '\n') {
                    byte[] bytes = line.toByteArray();
                    line.reset();
                    if (new String(bytes, StandardCharsets.UTF_8).startsWith(NOTE)) {
                        realOut.write(bytes, 0, bytes.length);
                        realOut.flush();
                    } else {
                        held.write(bytes, 0, bytes.length);
                    }
                }
            }
        }

        @Override
        public void write(byte[] b, int off, int len) {
            synchronized (lock) {
                for (int i = off; i < off + len; i++) {
                    write(b[i]);
                }
            }
        }
    }
}
