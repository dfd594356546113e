package org.dtkd4j.examples.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.dtkd4j.core.config.Method;
import org.dtkd4j.core.loss.DistillationLosses;
import org.dtkd4j.core.loss.LossResult;
import org.dtkd4j.core.loss.Term;
import org.dtkd4j.core.loss.TermResult;
import org.dtkd4j.core.perf.NativeMemory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * {@code bench_torch.py} computes what the DL4J side computes: its models have the reference's parameter counts
 * (golden {@code models.json}) and its losses, in float64, equal the closed form of
 * {@link DistillationLosses} (values, every term, gradients). The interpreter is {@code /usr/bin/python3}, or the
 * system property {@code dtkd.test.python}; when it cannot import torch ({@code apt-get install -y python3-torch}),
 * the tests are skipped and say so in one line.
 */
class TorchScriptTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The models {@code bench_torch.py} builds: the reference's CIFAR ResNets. */
    private static final Pattern TORCH_MODELS = Pattern.compile("resnet\\d+|resnet8x4|resnet32x4");
    private static TorchBench torch;

    @BeforeAll
    static void openTorch() {
        Path python = Path.of(System.getProperty("dtkd.test.python", TorchBench.DEFAULT_PYTHON.toString()));
        Optional<TorchBench> t = TorchBench.open(python);
        if (t.isEmpty()) {
            String reason = "TorchScriptTest: bench_torch.py's models and losses against ours ("
                    + TorchBench.unavailableReason(python) + ")";
            System.out.println("[not checked] " + reason);
            Assumptions.abort(reason);
        }
        torch = t.get();
    }

    @AfterAll
    static void closeTorch() {
        if (torch != null) {
            torch.close();
        }
    }

    @Test
    void theServerProcessGetsTheMallocEnvironmentAskedFor() {
        BenchOptions options = new BenchOptions(1, 1, 1, 100, 1, 4, 10, BenchOptions.DEFAULT_LOSS_SIZES, List.of(),
                torch.python(), 7, Set.of());
        try (TorchBench.Server keep = torch.serve(options, 1)) {
            assertThat(keep.mallocEnvironment()).isEqualTo(NativeMemory.KEEP)
                    .containsEntry("MALLOC_TRIM_THRESHOLD_", "4294967296");
        }
        try (TorchBench glibcSide = TorchBench.open(torch.python(), TorchBench.Malloc.GLIBC).orElseThrow();
             TorchBench.Server glibc = glibcSide.serve(options, 1)) {
            assertThat(glibc.mallocEnvironment()).isEmpty();
        }
    }

    @Test
    void modelsHaveTheReferenceParameterCounts() throws Exception {
        Path golden = Path.of(System.getProperty("dtkd.golden.dir", "../golden")).resolve("models.json");
        Map<String, Long> expected = new LinkedHashMap<>();
        for (JsonNode m : JSON.readTree(golden.toFile()).get("models")) {
            String name = m.get("name").asText();
            if (m.get("num_classes").asInt() == 100 && TORCH_MODELS.matcher(name).matches()) {
                expected.put(name, m.get("trainable_params").asLong());
            }
        }
        assertThat(expected).as("100-class CIFAR ResNets (the models bench_torch.py builds) in " + golden)
                .isNotEmpty();
        JsonNode counts = torch.run(List.of("params", "--models", String.join(",", expected.keySet())), null);
        expected.forEach((name, params) -> assertThat(counts.get(name).asLong()).as(name).isEqualTo(params));
    }

    @Test
    void lossesEqualTheClosedFormInDoublePrecision() {
        int n = 12;
        int c = 7;
        int epoch = 5;
        Random r = new Random(11);
        double[][] s = new double[n][c];
        double[][] t = new double[n][c];
        int[] y = new int[n];
        ObjectNode in = JSON.createObjectNode();
        ArrayNode sj = in.putArray("student");
        ArrayNode tj = in.putArray("teacher");
        ArrayNode yj = in.putArray("targets");
        for (int i = 0; i < n; i++) {
            y[i] = r.nextInt(c);
            yj.add(y[i]);
            ArrayNode srow = sj.addArray();
            ArrayNode trow = tj.addArray();
            for (int j = 0; j < c; j++) {
                s[i][j] = 2 * r.nextGaussian() + 0.5;
                t[i][j] = 3 * r.nextGaussian() + 1;
                srow.add(s[i][j]);
                trow.add(t[i][j]);
            }
        }
        in.put("epoch", epoch);
        JsonNode out = torch.run(List.of("check"), in.toString());
        for (Method method : Method.values()) {
            LossResult expected = DistillationLosses.evaluate(method.defaultConfig(), s, t, y, epoch);
            assertThat(expected.guardedRows()).as("no hazardous row in the inputs").isZero();
            JsonNode got = out.get(method.name());
            assertThat(got.get("total").asDouble()).as(method + " total").isCloseTo(expected.total(), within(1e-10));
            assertThat(got.get("terms").size()).as(method + " terms").isEqualTo(expected.terms().size());
            for (Map.Entry<Term, TermResult> term : expected.terms().entrySet()) {
                assertThat(got.get("terms").get(term.getKey().outputName()).asDouble())
                        .as(method + " " + term.getKey()).isCloseTo(term.getValue().value(), within(1e-10));
            }
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < c; j++) {
                    assertThat(got.get("gradient").get(i).get(j).asDouble()).as(method + " gradient[%d][%d]", i, j)
                            .isCloseTo(expected.gradient()[i][j], within(1e-10));
                }
            }
        }
    }
}
