package org.dtkd4j.examples.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.dtkd4j.core.config.Method;
import org.dtkd4j.core.perf.NativeMemory;
import org.dtkd4j.examples.cli.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The structure of {@code dtkd bench --quick --profile} at the smallest sizes (seconds): every row, every column,
 * finite positive numbers, the PyTorch column and the paired ratios filled exactly when PyTorch is importable, the
 * targets with verdicts, the machine-state lines, the profile sections. Never a timing threshold.
 */
class BenchCommandTest {

    private static final int METHODS = Method.values().length;
    /** The distillation methods × 3 implementations of the loss, every method's step without levers, with
     * conv-cache, with fused-bn and with all four levers, 4 teacher inferences (none, bn-fold, channels-last, both). */
    private static final int DL4J_ROWS = (METHODS - 1) * 3 + 4 * METHODS + 4;
    /** The distillation methods' losses, every method's step, 1 teacher inference. */
    private static final int TORCH_ROWS = (METHODS - 1) + METHODS + 1;

    @Test
    void quickRunPrintsOneCompleteTableAndWritesItsNumbers(@TempDir Path dir) throws Exception {
        boolean torch = TorchBench.open(TorchBench.DEFAULT_PYTHON).map(t -> {
            t.close();
            return true;
        }).orElse(false);
        Path json = dir.resolve("results.json");
        String out = Cli.run(0, "bench", "--quick", "--loss-sizes", "4x10", "--pairs", "resnet8:resnet8", "--batch",
                "4", "--classes", "10", "--out", json.toString(), "--profile", "--levers",
                "conv-cache,fused-bn,bn-fold,channels-last").out();

        assertThat(out).contains("machine: ").contains("threads: ").contains("OMP_NUM_THREADS=")
                .contains("kernels: ND4J backend").contains("exponentials: vectorised, ")
                .contains("float32 losses: KD and the cross-entropy alone on float32 networks, vectorised, 16 floats")
                .contains("fused BatchNorm: vectorised, ")
                .containsPattern("load before: .*\\(1/5/15 min\\); busy processes: ")
                .containsPattern("memory: first write to fresh memory \\d+\\.\\d\\d us per 4 KiB page, \\d+\\.\\d\\d us "
                        + "once mapped \\(64 MiB probed\\); JVM heap \\d+ MB committed at start, (pre-touched|not "
                        + "pre-touched)")
                .contains("settings: warmup 1 passes, 6 rounds (order reversed every other round), at least 1 timed "
                        + "iteration(s) per row per round (rows under 10 ms repeated to that), memory read after 2 "
                        + "blocks, batch 4, 10 classes")
                .contains("levers [conv-cache, fused-bn, bn-fold, channels-last]")
                .as("a smoke run warms up for its one pass only").contains("warmup passes: losses 4x10 1, ")
                .containsPattern("load after: .*; busy processes: ")
                .containsPattern("CPU time of other processes during the rounds: \\d+\\.\\d% of the machine")
                .containsPattern("The machine was quiet\\.|WARNING: the machine was not quiet \\(")
                .contains("native memory: JVM: " + NativeMemory.status())
                .containsPattern("minor page faults during the rounds \\(pages mapped afresh, each a first write to "
                        + "fresh memory\\): the JVM \\d+ a second" + (torch ? ", the PyTorch process \\d+ a second" : "")
                        + "\n");
        assertThat(out.contains("WARNING: the JVM's malloc does not keep the native memory it frees"))
                .isEqualTo(NativeMemory.notice().isPresent());
        assertThat(out).contains(torch ? "PyTorch column: PyTorch " : "PyTorch column: PyTorch absent");
        if (torch) {
            assertThat(out).contains("PyTorch column: PyTorch ").contains(", glibc malloc keeping freed memory in one "
                    + "arena (MALLOC_ARENA_MAX=1 MALLOC_MMAP_THRESHOLD_=4294967296 MALLOC_TRIM_THRESHOLD_=4294967296)), "
                    + "one process");
        }
        assertThat(out.contains("idle side while the other was timed: the PyTorch process used")).isEqualTo(torch);
        List<String[]> rows = tableRows(out);
        assertThat(rows).hasSize(DL4J_ROWS);
        List<String> labels = new ArrayList<>();
        for (String[] r : rows) {
            labels.add(r[0]);
            assertThat(r).as("cells of %s", r[0]).hasSize(13);
            assertThat(Double.parseDouble(r[1])).as("%s DL4J ms", r[0]).isPositive().isFinite();
            String[] q = r[2].split("-");
            assertThat(Double.parseDouble(q[0])).as("%s q1 <= median <= q3", r[0])
                    .isLessThanOrEqualTo(Double.parseDouble(r[1]));
            assertThat(Double.parseDouble(q[1])).isGreaterThanOrEqualTo(Double.parseDouble(r[1]));
            for (int c : new int[]{7, 8, 10}) {
                assertThat(Double.parseDouble(r[c])).as("%s column %d", r[0], c).isPositive().isFinite();
            }
            assertThat(Double.parseDouble(r[9])).as("%s off-heap", r[0]).isNotNegative();
            assertThat(r[12]).isIn("flat", "GROWS");
            if (torch) {
                assertThat(Double.parseDouble(r[3])).as("%s PyTorch ms", r[0]).isPositive().isFinite();
                assertThat(Double.parseDouble(r[5])).as("%s ratio", r[0]).isPositive().isFinite();
                String[] i = r[6].split("-");
                assertThat(Double.parseDouble(i[0])).as("%s interval", r[0]).isLessThanOrEqualTo(Double.parseDouble(r[5]));
                assertThat(Double.parseDouble(i[1])).isGreaterThanOrEqualTo(Double.parseDouble(r[5]));
            } else {
                assertThat(List.of(r[3], r[4], r[5], r[6], r[11])).containsOnly("-");
            }
        }
        assertThat(labels).contains("loss DTKD 4x10 closed-form", "loss DTKD 4x10 DL4J loss", "loss DTKD 4x10 SameDiff",
                "loss DTKD_DKD 4x10 SameDiff", "step resnet8->resnet8 NONE", "step resnet8->resnet8 DTKD_DKD",
                "teacher inference resnet8", "step resnet8->resnet8 DTKD +conv-cache",
                "step resnet8->resnet8 DTKD +fused-bn",
                "step resnet8->resnet8 DTKD +conv-cache+fused-bn+bn-fold+channels-last",
                "teacher inference resnet8 +bn-fold", "teacher inference resnet8 +channels-last",
                "teacher inference resnet8 +bn-fold+channels-last");
        assertThat(out).contains("Targets (ratio = median of the per-round ratios [95% interval]")
                .containsPattern("DTKD step / KD step, resnet8->resnet8 +\\d+\\.\\d{3} \\[\\d+\\.\\d{3}, \\d+\\.\\d{3}\\] +<= 1\\.03 +"
                        + "(met|MISSED|not distinguishable)");
        assertThat(out.contains("DL4J / PyTorch, loss DTKD 4x10 closed-form")).isEqualTo(torch);
        assertThat(out).containsPattern("with / without conv-cache, step resnet8->resnet8 DTKD +\\d")
                .containsPattern("with / without fused-bn, step resnet8->resnet8 DTKD +\\d")
                .containsPattern("with / without conv-cache\\+fused-bn\\+bn-fold\\+channels-last, step resnet8->resnet8 "
                        + "DTKD +\\d")
                .containsPattern("with / without bn-fold, teacher inference resnet8 +\\d")
                .containsPattern("with / without channels-last, teacher inference resnet8 +\\d")
                .containsPattern("with / without bn-fold\\+channels-last, teacher inference resnet8 +\\d")
                .containsPattern("DTKD step / KD step, resnet8->resnet8\\+conv-cache +\\d");
        String profile = out.substring(out.indexOf("Profile: DTKD step resnet8->resnet8"));
        assertThat(profile).contains("student forward").contains("loss + backward").contains("conv2d")
                .containsPattern("outside ND4J ops \\(Java, DL4J, loss closed form\\) +-?\\d+\\.\\d +-?\\d+\\.\\d%");
        assertThat(out.contains("PyTorch profile: DTKD step resnet8->resnet8")).isEqualTo(torch);

        JsonNode doc = new ObjectMapper().readTree(json.toFile());
        assertThat(doc.get("rows")).hasSize(DL4J_ROWS + (torch ? TORCH_ROWS : 0));
        for (JsonNode r : doc.get("rows")) {
            assertThat(r.get("median_ms").asDouble()).isPositive();
            assertThat(r.get("round_ms")).hasSize(6);
            assertThat(r.get("epoch_rss_bytes")).hasSize(2);
            assertThat(r.get("iterations_per_round").asInt()).isPositive();
        }
        assertThat(doc.get("header").get("threads").asText()).isNotEmpty();
        assertThat(doc.get("targets").size()).isGreaterThanOrEqualTo(1);
        assertThat(doc.get("targets").get(0).get("verdict").asText()).isIn("MET", "MISSED", "NOT_DISTINGUISHABLE");
        assertThat(doc.get("notes").size()).isGreaterThanOrEqualTo(3);
    }

    @Test
    void csvHasTheHeaderAndNotesAsCommentsThenTheColumns(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("sub/results.csv");
        new BenchReport(Map.of("k", "v"), List.of(), "none", List.of("quiet")).write(csv);
        assertThat(Files.readAllLines(csv)).containsExactly("# k: v", "# torch: none", "# quiet",
                String.join(",", BenchReport.COLUMNS));
    }

    @Test
    void loopTimesTheStepsOfOneMethodAfterItsWarmup() {
        String out = Cli.run(0, "bench", "--loop", "DTKD", "--pairs", "resnet8:resnet8", "--batch", "4", "--classes",
                "10", "--warmup", "1", "--rounds", "2", "--levers", "fused-bn,bn-fold").out();
        assertThat(out).contains("dtkd bench loop: step resnet8->resnet8 DTKD +fused-bn+bn-fold, batch 4, 1 warmup + 2 "
                + "timed steps");
        String timed = out.substring(out.indexOf(BenchCommand.LOOP_MARKER) + BenchCommand.LOOP_MARKER.length());
        assertThat(timed).containsPattern("(?s)^\\s*step 1: \\d+\\.\\d ms\\s+step 2: \\d+\\.\\d ms\\s+"
                + "mean \\d+\\.\\d ms per step over 2 steps\\s*$");
        assertThat(out).doesNotContain("row ").doesNotContain("PyTorch column");
        assertThat(Cli.run(2, "bench", "--loop", "DTKD", "--pairs", "none").err())
                .contains("--loop needs a pair (--pairs), found none");
        assertThat(Cli.run(2, "bench", "--loop", "FAST").err()).contains("FAST");
    }

    @Test
    void badOptionsExitWithTwoNamingTheValue() {
        assertThat(Cli.run(2, "bench", "--loss-sizes", "64by100").err())
                .contains("a loss size must be NxC (e.g. 64x100), found '64by100'");
        assertThat(Cli.run(2, "bench", "--pairs", "resnet32x4").err())
                .contains("a pair must be teacher:student (e.g. resnet32x4:resnet8x4), found 'resnet32x4'");
        assertThat(Cli.run(2, "bench", "--iterations", "0").err()).contains("--iterations must be > 0, found 0");
        assertThat(Cli.run(2, "bench", "--torch-malloc", "tuned").err()).contains("KEEP, GLIBC")
                .contains("tuned");
        assertThat(Cli.run(2, "bench", "--levers", "fast").err())
                .contains("--levers must name conv-cache, fused-bn, bn-fold, channels-last or none, found 'fast'");
        assertThat(Cli.run(2, "bench", "--rounds", "2", "--epochs", "3").err())
                .contains("--epochs must be <= --rounds (2), found 3");
        assertThat(Cli.run(0, "--help").out()).contains("bench");
    }

    @Test
    void faultNoteGivesEachProcessItsRateOrUnknown() {
        Map<String, Long> before = new LinkedHashMap<>();
        before.put("the JVM", 100L);
        before.put("the PyTorch process", -1L);
        Map<String, Long> after = new LinkedHashMap<>();
        after.put("the JVM", 2100L);
        after.put("the PyTorch process", 5L);
        assertThat(BenchCommand.faultNote(before, after, 4.0)).isEqualTo("minor page faults during the rounds (pages "
                + "mapped afresh, each a first write to fresh memory): the JVM 500 a second, the PyTorch process "
                + "unknown");
    }

    /** The data rows of the printed table: the lines between the dashed rule and the first blank line. */
    private static List<String[]> tableRows(String out) {
        List<String[]> rows = new ArrayList<>();
        boolean inTable = false;
        Pattern cell = Pattern.compile("^(.+?)\\s{2,}(\\S+(?:\\s{2,}\\S+){11})$");
        for (String line : out.split("\\R")) {
            if (line.startsWith("----")) {
                inTable = true;
            } else if (inTable && line.isBlank()) {
                break;
            } else if (inTable) {
                Matcher m = cell.matcher(line);
                assertThat(m.matches()).as("table line '%s'", line).isTrue();
                List<String> cells = new ArrayList<>(List.of(m.group(1).strip()));
                cells.addAll(List.of(m.group(2).split("\\s{2,}")));
                rows.add(cells.toArray(new String[0]));
            }
        }
        return rows;
    }
}
