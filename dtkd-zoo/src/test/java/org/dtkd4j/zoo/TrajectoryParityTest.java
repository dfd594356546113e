package org.dtkd4j.zoo;

import com.fasterxml.jackson.databind.JsonNode;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dtkd4j.core.config.CeConfig;
import org.dtkd4j.core.config.DistillationConfig;
import org.dtkd4j.core.config.DkdConfig;
import org.dtkd4j.core.config.DtkdConfig;
import org.dtkd4j.core.config.HazardPolicy;
import org.dtkd4j.core.config.KdConfig;
import org.dtkd4j.core.config.Method;
import org.dtkd4j.core.data.Augmentation;
import org.dtkd4j.core.data.ImageDataset;
import org.dtkd4j.core.data.Normalization;
import org.dtkd4j.core.data.TrainTestSplit;
import org.dtkd4j.core.dl4j.DistillationListener;
import org.dtkd4j.core.dl4j.DistillationLossFunction;
import org.dtkd4j.core.engine.Distiller;
import org.dtkd4j.core.engine.Progress;
import org.dtkd4j.core.engine.TrainingRecipe;
import org.dtkd4j.core.loss.LossResult;
import org.dtkd4j.core.loss.Term;
import org.dtkd4j.core.teacher.GraphTeacher;
import org.dtkd4j.zoo.onnx.NumpyArchives;
import org.dtkd4j.zoo.onnx.PyTorchWeights;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Step parity with the official training code: for every scenario of {@code <golden>/trajectory/} and every method
 * folder it holds, the zoo student and teacher are loaded with the scenario's initial state dicts (float64), the
 * {@link Distiller} takes the scenario's K steps on its fixed batches ({@link Distiller#fit}, the step its epoch loop
 * takes), and every parameter and BatchNorm running statistic must match the official final state within 1e-9 of the
 * tensor's largest magnitude (absolute floor 1e-12), and every loss term of every step (DTKD: and the per-sample
 * temperatures) within 1e-9 relative. Everything (models, classes, input shape, batch, steps, optimiser, epochs per
 * step, method hyper-parameters) is read from the scenario's {@code scenario.json}.
 *
 * <p>Measured on the two shipped scenarios: worst tensor difference relative to its max magnitude 8e-14 (BatchNorm
 * β, which starts at 0 and is still small), at most 5e-15 for every other kind (convolution and classifier weights,
 * classifier bias, BatchNorm γ, running mean and variance); loss terms and temperatures within 2e-15 relative. The
 * running statistics match only with the engine's {@code TorchBatchNorm} (unbiased variance) and, for WRNs, the
 * zoo's decay 0.81 on the three BatchNorms the reference applies twice per step.
 */
class TrajectoryParityTest {

    /** The golden README's tolerances. */
    private static final double TENSOR_RTOL = 1e-9;
    private static final double TENSOR_ATOL = 1e-12;
    private static final double LOSS_RTOL = 1e-9;

    @TempDir
    Path tmp;

    @TestFactory
    List<DynamicTest> everyScenarioAndMethodMatchesTheOfficialSteps() throws IOException {
        Path root = GoldenFixtures.dir().resolve("trajectory");
        List<Path> scenarios;
        try (Stream<Path> dirs = Files.list(root)) {
            scenarios = dirs.filter(d -> Files.isRegularFile(d.resolve("scenario.json"))).sorted().toList();
        }
        assertThat(scenarios).as("trajectory scenarios in " + root).isNotEmpty();
        List<DynamicTest> tests = new ArrayList<>();
        for (Path scenario : scenarios) {
            List<Path> methods;
            try (Stream<Path> dirs = Files.list(scenario)) {
                methods = dirs.filter(d -> Files.isRegularFile(d.resolve("steps.json"))).sorted().toList();
            }
            assertThat(methods).as("method folders of " + scenario).isNotEmpty();
            for (Path method : methods) {
                tests.add(DynamicTest.dynamicTest(scenario.getFileName() + " " + method.getFileName(),
                        () -> replay(scenario, method)));
            }
        }
        return tests;
    }

    private void replay(Path scenarioDir, Path methodDir) throws IOException {
        JsonNode scenario = GoldenFixtures.json(scenarioDir.resolve("scenario.json"));
        Method method = Method.valueOf(methodDir.getFileName().toString());
        JsonNode hyper = scenario.get("methods").get(method.name());
        assertThat(hyper).as("hyper-parameters of " + method + " in " + scenarioDir).isNotNull();
        int classes = scenario.get("num_classes").asInt();
        int[] input = ints(scenario.get("input_shape"));
        int[] epochs = ints(scenario.get("epochs_per_step"));
        int steps = scenario.get("steps").asInt();
        int batch = scenario.get("batch_size").asInt();
        assertThat(epochs).as("epochs_per_step").hasSize(steps);
        JsonNode opt = scenario.get("optimizer");
        assertThat(opt.get("nesterov").asBoolean()).as("nesterov").isFalse();
        assertThat(opt.get("dampening").asDouble()).as("dampening").isZero();

        ZooSpec spec = ZooSpec.builder().numClasses(classes).input(input[0], input[1], input[2])
                .dataType(DataType.DOUBLE).build();
        ComputationGraph student = CifarZoo.build(scenario.get("student").asText(), spec);
        PyTorchWeights.loadNpz(student, scenarioDir.resolve("student_init.npz"));
        GraphTeacher teacher = null;
        if (method.usesTeacher()) {
            ComputationGraph t = CifarZoo.build(scenario.get("teacher").asText(), spec);
            PyTorchWeights.loadNpz(t, scenarioDir.resolve("teacher.npz"));
            teacher = GraphTeacher.of(t);
        }
        double lr = opt.get("lr").asDouble();
        TrainingRecipe recipe = new TrainingRecipe(Arrays.stream(epochs).max().orElseThrow(), batch, lr, new int[0],
                0.1, opt.get("momentum").asDouble(), opt.get("weight_decay").asDouble(), 0L, 0);
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        Distiller distiller = Distiller.builder().student(student).studentName(scenario.get("student").asText())
                .teacher(teacher).loss(config(method, hyper)).recipe(recipe).augmentation(Augmentation.NONE)
                .data(placeholder(classes, input)).runDirectory(tmp.resolve(scenarioDir.getFileName() + "-" + method)).console(quiet)
                .progress(new Progress(quiet, false, Double.MAX_VALUE, System::nanoTime)).build();
        DistillationLossFunction loss = DistillationListener.lossFunctions(distiller.student()).get(0);

        Map<String, INDArray> batches = NumpyArchives.read(scenarioDir.resolve("batches.npz"));
        INDArray xs = batches.get("x").castTo(DataType.DOUBLE);
        INDArray ys = batches.get("y");
        Iterator<JsonNode> official = scenario(methodDir).iterator();
        List<String> failures = new ArrayList<>();
        for (int k = 0; k < steps; k++) {
            JsonNode step = official.next();
            assertThat(step.get("epoch").asInt()).as("epoch of step " + k).isEqualTo(epochs[k]);
            assertThat(step.get("lr").asDouble()).as("lr of step " + k).isEqualTo(lr);
            INDArray x = xs.get(NDArrayIndex.point(k)).dup();
            INDArray y = Nd4j.zeros(DataType.DOUBLE, batch, classes);
            for (int i = 0; i < batch; i++) {
                y.putScalar(i, ys.getLong(k, i), 1.0);
            }
            distiller.fit(epochs[k], new ListDataSetIterator<>(List.of(new DataSet(x, y)), batch));
            compareStep(failures, "step " + k, step, officialTerms(method, hyper, loss.lastBatchResult().orElseThrow()),
                    loss.lastBatchResult().orElseThrow());
        }

        ComputationGraph expected = CifarZoo.build(scenario.get("student").asText(), spec);
        PyTorchWeights.loadNpz(expected, methodDir.resolve("student_final.npz"));
        Map<String, INDArray> actual = distiller.student().paramTable();
        Map<String, Double> worstPerKind = new TreeMap<>();
        expected.paramTable().forEach((key, want) -> {
            INDArray got = actual.get(key);
            double scale = want.amaxNumber().doubleValue();
            double diff = got.sub(want).amaxNumber().doubleValue();
            worstPerKind.merge(kind(distiller.student(), key), scale == 0 ? diff : diff / scale, Math::max);
            if (!(diff <= Math.max(TENSOR_RTOL * scale, TENSOR_ATOL))) {
                failures.add(String.format("%s: max |difference| %.3e, max |value| %.3e", key, diff, scale));
            }
        });
        assertThat(failures).as("differences from the official run beyond the tolerance; worst relative "
                + "difference per tensor kind: " + worstPerKind).isEmpty();
    }

    /** Every loss term, the total and (DTKD) the per-sample temperatures of one step. */
    private static void compareStep(List<String> failures, String what, JsonNode step, Map<String, Double> terms,
                                    LossResult r) {
        assertThat(terms.keySet()).as("loss terms of " + what).containsExactlyInAnyOrderElementsOf(
                iterable(step.get("terms").fieldNames()));
        terms.forEach((name, v) -> close(failures, what + " " + name, v, step.get("terms").get(name).asDouble()));
        close(failures, what + " total", r.total(), step.get("total").asDouble());
        if (step.has("T_stu")) {
            for (int i = 0; i < step.get("T_stu").size(); i++) {
                close(failures, what + " T_stu[" + i + "]", r.studentTemperatures()[i],
                        step.get("T_stu").get(i).asDouble());
                close(failures, what + " T_tea[" + i + "]", r.teacherTemperatures()[i],
                        step.get("T_tea").get(i).asDouble());
            }
        }
    }

    private static Iterable<JsonNode> scenario(Path methodDir) {
        return GoldenFixtures.json(methodDir.resolve("steps.json")).get("steps");
    }

    /** The loss terms as the official distillers return them (each a batch mean, weights and warmup applied). */
    private static Map<String, Double> officialTerms(Method method, JsonNode hyper, LossResult r) {
        Map<String, Double> out = new LinkedHashMap<>();
        double ce = r.term(Term.CE).value();
        switch (method) {
            case NONE -> out.put("ce", hyper.get("ce_weight").asDouble() * ce);
            case KD -> {
                out.put("loss_ce", hyper.get("ce_weight").asDouble() * ce);
                out.put("loss_kd", hyper.get("kd_weight").asDouble() * r.term(Term.KD).value());
            }
            case DKD -> {
                out.put("loss_ce", hyper.get("ce_weight").asDouble() * ce);
                out.put("loss_kd", r.warmupFactor() * (hyper.get("alpha").asDouble() * r.term(Term.TCKD).value()
                        + hyper.get("beta").asDouble() * r.term(Term.NCKD).value()));
            }
            case DTKD -> out.put("loss_dtkd", r.total());
            case DTKD_DKD, LS_KD, LS_DKD, NORMKD, NORMKD_DKD -> throw new IllegalArgumentException(
                    "the official trajectories have no " + method);
        }
        return out;
    }

    /** The method's configuration from the scenario's hyper-parameters; the official code has no hazard guard. */
    private static DistillationConfig config(Method method, JsonNode h) {
        return switch (method) {
            case NONE -> new CeConfig(h.get("ce_weight").asDouble());
            case KD -> new KdConfig(h.get("temperature").asDouble(), h.get("ce_weight").asDouble(),
                    h.get("kd_weight").asDouble());
            case DKD -> new DkdConfig(h.get("alpha").asDouble(), h.get("beta").asDouble(), h.get("T").asDouble(),
                    h.get("ce_weight").asDouble(), h.get("warmup").asInt(), HazardPolicy.OFFICIAL);
            case DTKD -> new DtkdConfig(h.get("alpha").asDouble(), h.get("beta").asDouble(), h.get("T").asDouble(),
                    h.get("ce_weight").asDouble(), h.get("warmup").asInt(), false, HazardPolicy.OFFICIAL);
            case DTKD_DKD, LS_KD, LS_DKD, NORMKD, NORMKD_DKD -> throw new IllegalArgumentException(
                    "the official trajectories have no " + method);
        };
    }

    /**
     * The engine needs a train/test split for its run bookkeeping (classes, names, sizes); {@link Distiller#fit}
     * trains on the given batches only, so one blank image stands in.
     */
    private static TrainTestSplit placeholder(int classes, int[] input) {
        double[] mean = new double[input[0]];
        double[] std = new double[input[0]];
        Arrays.fill(std, 1.0);
        ImageDataset one = ImageDataset.of("trajectory-batches", classes, List.of(), input[0], input[1], input[2],
                new byte[input[0] * input[1] * input[2]], new int[1], Normalization.of(mean, std));
        return new TrainTestSplit(one, one);
    }

    /** {@code conv W}, {@code bn mean}, ...: the layer type and parameter, for the per-kind report. */
    private static String kind(ComputationGraph graph, String key) {
        int sep = key.lastIndexOf('_');
        return graph.getLayer(key.substring(0, sep)).conf().getLayer().getClass().getSimpleName() + " "
                + key.substring(sep + 1);
    }

    private static void close(List<String> failures, String what, double got, double want) {
        if (!(Math.abs(got - want) <= LOSS_RTOL * Math.abs(want))) {
            failures.add(String.format("%s: %.17g, official %.17g (relative difference %.3e)", what, got, want,
                    Math.abs(got - want) / Math.abs(want)));
        }
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    private static <T> Iterable<T> iterable(Iterator<T> it) {
        List<T> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }
}
