package org.dtkd4j.core.perf;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Which environments keep freed native memory, and how each is described. */
class NativeMemoryTest {

    @Test
    void keptOnlyWithEveryVariableAtItsValue() {
        Map<String, String> env = new HashMap<>(NativeMemory.KEEP);
        env.put("HOME", "/root");
        assertThat(NativeMemory.keeps(env)).isTrue();
        assertThat(NativeMemory.describe(env)).isEqualTo("glibc malloc keeping freed memory in one arena "
                + "(MALLOC_ARENA_MAX=1 MALLOC_MMAP_THRESHOLD_=4294967296 MALLOC_TRIM_THRESHOLD_=4294967296)");
        for (String name : NativeMemory.KEEP.keySet()) {
            Map<String, String> without = new HashMap<>(env);
            without.remove(name);
            assertThat(NativeMemory.keeps(without)).as("without %s", name).isFalse();
            assertThat(NativeMemory.describe(without)).as("without %s", name).contains(name + "=unset")
                    .contains(": not as the dtkd launcher sets them");
        }
        env.put("MALLOC_ARENA_MAX", "2");
        assertThat(NativeMemory.keeps(env)).isFalse();
        assertThat(NativeMemory.describe(env)).isEqualTo("MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=4294967296 "
                + "MALLOC_TRIM_THRESHOLD_=4294967296: not as the dtkd launcher sets them, so on Linux the native "
                + "memory ND4J frees may go back to the system and be faulted in again every step (README, "
                + "\"Native memory\")");
        assertThat(NativeMemory.keeps(Map.of())).isFalse();
        assertThat(NativeMemory.status()).isEqualTo(NativeMemory.describe(System.getenv()));
    }

    @Test
    void noticeOnlyOnLinuxWithoutTheVariables() {
        Map<String, String> twoArenas = new HashMap<>(NativeMemory.KEEP);
        twoArenas.put("MALLOC_ARENA_MAX", "2");
        assertThat(NativeMemory.notice(twoArenas, "Linux")).contains("native memory: "
                + NativeMemory.describe(twoArenas));
        assertThat(NativeMemory.notice(Map.of(), "Linux")).get().asString()
                .startsWith("native memory: MALLOC_ARENA_MAX=unset ");
        assertThat(NativeMemory.notice(NativeMemory.KEEP, "Linux")).isEmpty();
        assertThat(NativeMemory.notice(Map.of(), "Mac OS X")).isEmpty();
        assertThat(NativeMemory.notice(twoArenas, "Windows 11")).isEmpty();
        assertThat(NativeMemory.notice()).isEqualTo(NativeMemory.notice(System.getenv(),
                System.getProperty("os.name")));
    }
}
