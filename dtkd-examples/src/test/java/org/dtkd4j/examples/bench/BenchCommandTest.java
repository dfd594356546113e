package org.dtkd4j.examples.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.dtkd4j.core.config.Method;
import org.dtkd4j.examples.cli.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The structure of {@code dtkd bench --quick --profile} at the smallest sizes: every row, every column, finite
 * positive numbers, the PyTorch column filled exactly when PyTorch is importable, the profile sections. Never a
 * timing threshold.
 */
class BenchCommandTest {

    /** 4 methods × 3 implementations of the loss, 5 steps, 1 teacher inference. */
    private static final int ROWS = (Method.values().length - 1) * 3 + Method.values().length + 1;

    @Test
    void quickRunPrintsOneCompleteTableAndWritesItsNumbers(@TempDir Path dir) throws Exception {
        boolean torch = TorchBench.open(TorchBench.DEFAULT_PYTHON).map(t -> {
            t.close();
            return true;
        }).orElse(false);
        Path json = dir.resolve("results.json");
        String out = Cli.run(0, "bench", "--quick", "--loss-sizes", "4x10", "--pairs", "resnet8:resnet8", "--batch",
                "4", "--classes", "10", "--out", json.toString(), "--profile").out();

        assertThat(out).contains("machine: ").contains("threads: ").contains("kernels: ND4J backend")
                .contains("settings: warmup 1, 2 epochs x 2 timed iterations per row, batch 4, 10 classes");
        assertThat(out).contains(torch ? "PyTorch column: PyTorch " : "PyTorch column: PyTorch absent");
        List<String[]> rows = tableRows(out);
        assertThat(rows).hasSize(ROWS);
        List<String> labels = new ArrayList<>();
        for (String[] r : rows) {
            labels.add(r[0]);
            assertThat(r).as("cells of %s", r[0]).hasSize(BenchReport.COLUMNS.size());
            for (int c : new int[]{1, 2, 5, 7}) {
                assertThat(Double.parseDouble(r[c])).as("%s %s", r[0], BenchReport.COLUMNS.get(c)).isPositive()
                        .isFinite();
            }
            assertThat(Double.parseDouble(r[6])).as("%s off-heap", r[0]).isNotNegative();
            assertThat(r[8].split("/")).as("%s RSS per epoch", r[0]).hasSize(2);
            assertThat(r[10]).isIn("flat", "GROWS");
            if (torch) {
                assertThat(Double.parseDouble(r[3])).as("%s PyTorch ms", r[0]).isPositive().isFinite();
                assertThat(Double.parseDouble(r[4])).as("%s ratio", r[0]).isPositive().isFinite();
            } else {
                assertThat(r[3]).isEqualTo("-");
            }
        }
        assertThat(labels).contains("loss DTKD 4x10 closed-form", "loss DTKD 4x10 DL4J loss", "loss DTKD 4x10 SameDiff",
                "loss DTKD_DKD 4x10 SameDiff", "step resnet8->resnet8 NONE", "step resnet8->resnet8 DTKD_DKD",
                "teacher inference resnet8");
        assertThat(out).contains("Targets (issue 7):").containsPattern("DTKD step / KD step, resnet8->resnet8 +\\d+\\.\\d{3}");
        assertThat(out.contains("DL4J / PyTorch, DTKD step")).isEqualTo(torch);
        String profile = out.substring(out.indexOf("Profile: DTKD step resnet8->resnet8"));
        assertThat(profile).contains("student forward").contains("loss + backward").contains("conv2d")
                .containsPattern("outside ND4J ops \\(Java, DL4J, loss closed form\\) +-?\\d+\\.\\d +-?\\d+\\.\\d%");
        assertThat(out.contains("PyTorch profile: DTKD step resnet8->resnet8")).isEqualTo(torch);

        JsonNode doc = new ObjectMapper().readTree(json.toFile());
        assertThat(doc.get("rows")).hasSize(ROWS);
        for (JsonNode r : doc.get("rows")) {
            assertThat(r.get("dl4j_ms").asDouble()).isPositive();
            assertThat(r.get("epoch_rss_bytes")).hasSize(2);
            assertThat(r.has("torch_ms")).isEqualTo(torch);
        }
        assertThat(doc.get("header").get("threads").asText()).isNotEmpty();
        assertThat(doc.get("ratios").size()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void csvHasTheHeaderAsCommentsThenTheColumns(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("sub/results.csv");
        new BenchReport(Map.of("k", "v"), List.of(), Map.of(), "none", List.of(), null).write(csv);
        assertThat(Files.readAllLines(csv)).containsExactly("# k: v", "# torch: none",
                String.join(",", BenchReport.COLUMNS));
    }

    @Test
    void badOptionsExitWithTwoNamingTheValue() {
        assertThat(Cli.run(2, "bench", "--loss-sizes", "64by100").err())
                .contains("a loss size must be NxC (e.g. 64x100), found '64by100'");
        assertThat(Cli.run(2, "bench", "--pairs", "resnet32x4").err())
                .contains("a pair must be teacher:student (e.g. resnet32x4:resnet8x4), found 'resnet32x4'");
        assertThat(Cli.run(2, "bench", "--iterations", "0").err()).contains("--iterations must be > 0, found 0");
        assertThat(Cli.run(0, "--help").out()).contains("bench");
    }

    /** The data rows of the printed table: the lines between the dashed rule and the first blank line. */
    private static List<String[]> tableRows(String out) {
        List<String[]> rows = new ArrayList<>();
        boolean inTable = false;
        Pattern cell = Pattern.compile("^(.+?)\\s{2,}(\\S+(?:\\s{2,}\\S+){9})$");
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
