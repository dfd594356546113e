package org.dtkd4j.core.perf;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Whether glibc's {@code malloc} keeps the native memory ND4J frees, which decides on Linux whether a training step
 * writes to fresh memory every step.
 *
 * <p>ND4J allocates arrays outside its workspaces, and oneDNN its scratch buffers, through {@code malloc}, and frees
 * them within the step. With glibc's defaults the memory often goes back to the system: a block above the adaptive
 * mmap threshold is unmapped when freed, a thread's own arena heap (the JVM's threads each get one) is unmapped when
 * it empties, and the main heap is trimmed. The next step's allocation then faults every page in again, and on a
 * virtual machine a first write to a page can cost 100 times a write to a mapped one. Measured on a 2-core virtual
 * machine, a resnet32x4&rarr;resnet8x4 NONE training step with every lever: 47,000-58,000 minor page faults a second,
 * a fifth of the CPU time in the kernel, 525-570 ms a step with glibc's defaults; none, and 330-365 ms a step, with
 * {@link #KEEP} (which only stops glibc from giving memory back: the process's resident set stays at its peak).
 *
 * <p>{@code malloc} reads these variables when the process starts, so the JVM cannot set them for itself: the
 * {@code dtkd} launcher sets them for every subcommand (unless already set); a program of your own sets them in the
 * environment it starts the JVM in, e.g. {@code MALLOC_ARENA_MAX=1 MALLOC_MMAP_THRESHOLD_=4294967296
 * MALLOC_TRIM_THRESHOLD_=4294967296 java ...}. They do nothing on other C libraries.
 */
public final class NativeMemory {

    /**
     * The environment under which glibc keeps freed memory: one arena (the main heap, which grows and is kept, where
     * a thread's own arena heap is unmapped when it empties), no block served by a mapping of its own, no trimming.
     * Setting only some of them is worse than none: each one set turns off glibc's adaptive mmap threshold.
     */
    public static final Map<String, String> KEEP = Map.of("MALLOC_ARENA_MAX", "1",
            "MALLOC_MMAP_THRESHOLD_", "4294967296", "MALLOC_TRIM_THRESHOLD_", "4294967296");

    private NativeMemory() {
    }

    /**
     * @param env a process's environment
     * @return whether it sets every variable of {@link #KEEP} to its value
     */
    public static boolean keeps(Map<String, String> env) {
        return KEEP.entrySet().stream().allMatch(e -> e.getValue().equals(env.get(e.getKey())));
    }

    /**
     * @param env a process's environment
     * @return e.g. {@code "glibc malloc keeping freed memory in one arena (MALLOC_ARENA_MAX=1 ...)"}, or the
     *         variables as set and what that costs
     */
    public static String describe(Map<String, String> env) {
        String vars = new TreeMap<>(KEEP).keySet().stream()
                .map(v -> v + "=" + Optional.ofNullable(env.get(v)).orElse("unset"))
                .collect(Collectors.joining(" "));
        return keeps(env) ? "glibc malloc keeping freed memory in one arena (" + vars + ")"
                : vars + ": not as the dtkd launcher sets them, so on Linux the native memory ND4J frees may go back "
                + "to the system and be faulted in again every step (README, \"Native memory\")";
    }

    /** @return {@link #describe} of this process's environment */
    public static String status() {
        return describe(System.getenv());
    }

    /**
     * @param env    a process's environment
     * @param osName its {@code os.name}
     * @return a one-line note for a program started on Linux without {@link #KEEP}, else empty (other systems'
     *         {@code malloc} ignores the variables)
     */
    public static Optional<String> notice(Map<String, String> env, String osName) {
        return "Linux".equals(osName) && !keeps(env) ? Optional.of("native memory: " + describe(env))
                : Optional.empty();
    }

    /** @return {@link #notice(Map, String)} of this process */
    public static Optional<String> notice() {
        return notice(System.getenv(), System.getProperty("os.name"));
    }
}
