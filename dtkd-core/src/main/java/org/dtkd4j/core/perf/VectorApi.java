package org.dtkd4j.core.perf;

import jdk.incubator.vector.FloatVector;

/**
 * Whether dtkd4j's vectorised loops may run: the losses' exponentials and row sums
 * ({@code org.dtkd4j.core.loss.Exponentials}, {@code FloatKd}) and {@link FusedBatchNorm}'s channel sums. Each of
 * them is written twice, with scalar arithmetic and with the JDK's vector API ({@code jdk.incubator.vector}), with the
 * same operations lane by lane, so that which form runs changes the speed only, never a number.
 *
 * <p>The vector forms run when the JVM was started with {@code --add-modules jdk.incubator.vector} (the command-line
 * tool's {@code bench} does so; the test suite does) unless the system property {@value #PROPERTY} is {@code false}.
 * They are fast only once C2 has compiled them: interpreted, or in a JVM limited to C1, the vector API allocates
 * every vector, so turn them off there.
 */
public final class VectorApi {

    /** The system property that turns the vector forms off when set to {@code false}. */
    public static final String PROPERTY = "dtkd.vectorApi";

    /** Why the vector forms do not run, or {@code null} when they may. */
    private static final String UNAVAILABLE = probe();

    private VectorApi() {
    }

    /** @return whether the vector forms may run (each kernel also asks whether this CPU's vectors are wide enough) */
    public static boolean usable() {
        return UNAVAILABLE == null;
    }

    /**
     * @return why the vector forms do not run, for example {@code "start the JVM with --add-modules
     *         jdk.incubator.vector to vectorise"}; empty when they may
     */
    public static String unavailability() {
        return UNAVAILABLE == null ? "" : UNAVAILABLE;
    }

    private static String probe() {
        if (!Boolean.parseBoolean(System.getProperty(PROPERTY, "true"))) {
            return PROPERTY + "=false";
        }
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return "start the JVM with --add-modules jdk.incubator.vector to vectorise";
        }
        try {
            return FloatVector.SPECIES_PREFERRED.length() > 1 ? null : "this CPU has no float vectors";
        } catch (LinkageError e) {
            return "the vector API did not link: " + e;
        }
    }
}
