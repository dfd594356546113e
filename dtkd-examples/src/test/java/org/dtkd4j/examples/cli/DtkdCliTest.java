package org.dtkd4j.examples.cli;

import org.dtkd4j.core.config.DtkdConfig;
import org.dtkd4j.core.engine.Distiller;
import org.dtkd4j.core.perf.FastKernels;
import org.dtkd4j.core.perf.NativeMemory;
import org.dtkd4j.core.testsupport.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class DtkdCliTest {

    @Test
    void demoPrintsTemperaturesTermsAndTheGuardedRow() {
        String out = Cli.run(0, "demo", "--sample-batch").out();
        assertThat(out).contains("T_stu").contains("T_tea").contains("L_dtkd").contains("L_kd").contains("L_ce")
                .contains("guarded rows = 1").contains("guarded: maxima of opposite sign");
        // the printed total is the library's
        assertThat(out).containsPattern("total   = \\d+\\.\\d{6}");
        assertThat(out).contains(DtkdConfig.defaults().toString());
    }

    @Test
    void badUsageExitsWithTwoAndOneLine() {
        assertThat(Cli.run(2, "demo", "--sample-batch", "--rows", "1").err().strip()).isEqualTo("dtkd: --rows must be >= 2, found 1");
        assertThat(Cli.run(2, "demo", "--rows", "3").err().strip()).isEqualTo("dtkd: --rows only applies with --sample-batch");
        assertThat(Cli.run(2, "demo", "--sample-batch", "--quick", "--out", "x").err().strip())
                .isEqualTo("dtkd: --out, --quick cannot be combined with --sample-batch");
        assertThat(Cli.run(2, "demo", "--epochs", "0").err().strip()).isEqualTo("dtkd: --epochs must be >= 1, found 0");
        assertThat(Cli.run(2, "demo", "--epochs", "many").err().strip()).startsWith("dtkd: ").contains("--epochs")
                .contains("many").doesNotContain("\n");
        assertThat(Cli.run(2, "nosuch").err()).contains("dtkd: ").contains("nosuch");
        assertThat(Cli.run(2).err()).contains("subcommand is required");
        assertThat(Cli.run(0, "--help").out()).contains("demo").contains("bench");
        assertThat(Cli.run(0, "demo", "--help").out()).contains("--sample-batch").contains("--quick").contains("--out");
    }

    @Test
    void quickDemoFromTheCommandLineReplacesAPreviousDemo(@TempDir Path tmp) throws IOException {
        Path previous = Files.createDirectories(tmp.resolve("student-resnet8-none"));
        Files.writeString(previous.resolve(Distiller.CONFIG_FILE), "{}");
        Files.writeString(previous.resolve("stale.txt"), "from an earlier demo");
        String out = Cli.run(0, "demo", "--quick", "--out", tmp.toString(), "--data", tmp.resolve("none").toString(),
                "--seed", "7").out();
        assertThat(out).contains("== [1/4] teacher resnet20").contains("seed 7").contains("the Fashion-MNIST subset bundled")
                .containsPattern("resnet8 +student +KD +1 +\\d+\\.\\d\\d%");
        assertThat(previous.resolve("stale.txt")).doesNotExist();
        assertThat(previous.resolve(Distiller.METRICS_FILE)).isRegularFile();
        assertThat(tmp.resolve("compare.png")).isRegularFile();
    }

    /** The real {@code main} in a fresh JVM (this one runs the tests with the fast kernels already on). */
    @Test
    void mainRunsOnTheFastKernelsUnlessOptedOut() throws IOException, InterruptedException {
        assumeTrue(Nd4j.getBackend().getEnvironment().isCPU(), "oneDNN helpers are CPU-only");
        assertThat(runMain(List.of(), 0)).startsWith("dtkd4j ").contains("kernels: ND4J backend CPU")
                .contains("DL4J layer helpers ON, BLAS threads 1, JavaCPP resident-set check off")
                .contains("exponentials: scalar (start the JVM with --add-modules jdk.incubator.vector to vectorise)")
                .contains("float32 losses: scalar")
                .contains("fused BatchNorm: scalar (start the JVM with --add-modules");
        assertThat(runMain(List.of("-D" + FastKernels.PROPERTY + "=false"), 0))
                .contains("DL4J layer helpers OFF (fast kernels not enabled");
        assertThat(runMain(List.of("-D" + FastKernels.PROPERTY + "=maybe"), 2).strip())
                .isEqualTo("dtkd: system property dtkd.fastKernels must be true or false, found maybe");
    }

    @Test
    void versionSaysWhetherMallocKeepsFreedNativeMemory() throws IOException, InterruptedException {
        assertThat(ChildJvm.run(List.of(), NativeMemory.KEEP, 0, DtkdCli.class, "--version"))
                .contains("native memory: glibc malloc keeping freed memory in one arena (MALLOC_ARENA_MAX=1 ");
        Map<String, String> twoArenas = new HashMap<>(NativeMemory.KEEP);
        twoArenas.put("MALLOC_ARENA_MAX", "2");
        assertThat(ChildJvm.run(List.of(), twoArenas, 0, DtkdCli.class, "--version"))
                .contains("native memory: MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=4294967296 "
                        + "MALLOC_TRIM_THRESHOLD_=4294967296: not as the dtkd launcher sets them");
    }

    /** The launcher sets what {@link NativeMemory#KEEP} names, leaving a variable the user set alone. */
    @Test
    void theLauncherKeepsFreedNativeMemory() throws IOException {
        String launcher = Files.readString(Path.of("..", "dtkd"));
        NativeMemory.KEEP.forEach((name, value) -> assertThat(launcher)
                .contains("\nexport " + name + "=\"${" + name + ":-" + value + "}\"\n"));
    }

    private static String runMain(List<String> jvmOptions, int exitCode) throws IOException, InterruptedException {
        return ChildJvm.run(jvmOptions, Map.of(), exitCode, DtkdCli.class, "--version");
    }
}
