package org.dtkd4j.core.dl4j;

import org.dtkd4j.core.config.CeConfig;
import org.dtkd4j.core.config.DistillationConfig;
import org.dtkd4j.core.config.DkdConfig;
import org.dtkd4j.core.config.DtkdConfig;
import org.dtkd4j.core.config.DtkdDkdConfig;
import org.dtkd4j.core.config.HazardPolicy;
import org.dtkd4j.core.config.KdConfig;
import org.dtkd4j.core.loss.LossResult;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.shade.jackson.databind.ObjectMapper;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.offset;

/** The adapter's contract apart from the numbers: validation, masks, epoch, serialization, statistics. */
class DistillationLossFunctionTest {

    private static final ActivationIdentity IDENTITY = new ActivationIdentity();

    private static final INDArray LOGITS = Nd4j.createFromArray(new double[][]{
            {1.0, 2.5, -0.5, 0.25, 3.0}, {0.5, -1.0, 2.0, 1.5, 0.0}, {2.2, 0.1, 0.3, -0.7, 1.9}});
    private static final INDArray TEACHER = Nd4j.createFromArray(new double[][]{
            {2.0, 0.5, 1.0, -1.0, 2.5}, {1.0, 1.2, 3.0, 0.0, -0.5}, {0.4, 2.6, 0.2, 0.9, 1.1}});
    private static final INDArray ONE_HOT = Nd4j.createFromArray(new double[][]{
            {0, 0, 0, 0, 1}, {0, 0, 1, 0, 0}, {1, 0, 0, 0, 0}});
    private static final INDArray LABELS = TeacherLabels.pack(ONE_HOT, TEACHER);

    private static DistillationLossFunction dtkd() {
        DistillationLossFunction loss = DistillationLossFunction.of(DtkdConfig.defaults());
        loss.setEpoch(5);
        return loss;
    }

    static List<DistillationConfig> configs() {
        return List.of(CeConfig.defaults(), KdConfig.defaults(), DkdConfig.defaults(),
                new DtkdConfig(2, 0.5, 3, 0.7, 9, true, HazardPolicy.STRICT),
                DtkdDkdConfig.defaults().withHazardPolicy(HazardPolicy.OFFICIAL));
    }

    /**
     * DL4J's configuration {@code clone()} shares the output layer's loss function, so the networks of Spark's
     * workers (and ParallelWrapper's replicas) call one instance from several threads at once: each call must get the
     * result of its own inputs, gradient and score alike.
     */
    @Test
    void threadsSharingAnInstanceEachGetTheirOwnInputsResult() throws Exception {
        int threads = 4;
        INDArray[] logits = new INDArray[threads];
        INDArray[] labels = new INDArray[threads];
        float[][] gradients = new float[threads][];
        double[] scores = new double[threads];
        Nd4j.getRandom().setSeed(3);
        for (int t = 0; t < threads; t++) {
            logits[t] = Nd4j.randn(DataType.FLOAT, 32, 10).muli(t + 1);
            INDArray oneHot = Nd4j.zeros(DataType.FLOAT, 32, 10);
            for (int i = 0; i < 32; i++) {
                oneHot.putScalar(i, (i + t) % 10, 1f);
            }
            labels[t] = TeacherLabels.pack(oneHot, Nd4j.randn(DataType.FLOAT, 32, 10).muli(2));
            gradients[t] = dtkd().computeGradient(labels[t], logits[t], IDENTITY, null).data().asFloat();
            scores[t] = dtkd().computeScore(labels[t], logits[t], IDENTITY, null, true);
        }
        DistillationLossFunction shared = dtkd();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> runs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int own = t;
                runs.add(pool.submit(() -> {
                    for (int call = 0; call < 200; call++) {
                        assertThat(shared.computeGradient(labels[own], logits[own], IDENTITY, null).data().asFloat())
                                .as("thread %d, call %d: gradient", own, call).containsExactly(gradients[own]);
                        assertThat(shared.computeScore(labels[own], logits[own], IDENTITY, null, true))
                                .as("thread %d, call %d: score", own, call).isEqualTo(scores[own]);
                    }
                    return null;
                }));
            }
            for (Future<?> run : runs) {
                run.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @ParameterizedTest
    @MethodSource("configs")
    void configRoundTripsThroughTheFactory(DistillationConfig config) {
        assertThat(DistillationLossFunction.of(config).config()).isEqualTo(config);
    }

    @ParameterizedTest
    @MethodSource("configs")
    void jsonAndJavaSerializationKeepConfigAndEpoch(DistillationConfig config) throws Exception {
        DistillationLossFunction loss = DistillationLossFunction.of(config);
        loss.setEpoch(13);
        loss.computeGradient(LABELS, LOGITS, IDENTITY, null);
        ObjectMapper mapper = org.deeplearning4j.nn.conf.serde.JsonMappers.getMapper();
        String json = mapper.writeValueAsString(loss);
        assertThat(json).contains("\"epoch\" : 13").doesNotContain("lastStats").doesNotContain("epochStats");
        ILossFunction back = mapper.readValue(json, ILossFunction.class);
        assertThat(back).isEqualTo(loss);
        assertThat(((DistillationLossFunction) back).config()).isEqualTo(config);

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(loss);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            DistillationLossFunction copy = (DistillationLossFunction) in.readObject();
            assertThat(copy).isEqualTo(loss);
            assertThat(copy.computeScore(LABELS, LOGITS, IDENTITY, null, true))
                    .isEqualTo(loss.computeScore(LABELS, LOGITS, IDENTITY, null, true));
        }
    }

    @Test
    void scoreAndGradientAreTheSummedPerExampleLoss() {
        DistillationLossFunction loss = dtkd();
        LossResult r = loss.evaluate(LABELS, LOGITS, IDENTITY, null).orElseThrow();
        assertThat(loss.computeScore(LABELS, LOGITS, IDENTITY, null, true)).isCloseTo(r.total(), offset(1e-12));
        assertThat(loss.computeScore(LABELS, LOGITS, IDENTITY, null, false)).isCloseTo(3 * r.total(),
                offset(1e-12));
        assertThat(loss.computeScoreArray(LABELS, LOGITS, IDENTITY, null).toDoubleVector())
                .containsExactly(r.perSampleTotal());
        var pair = loss.computeGradientAndScore(LABELS, LOGITS, IDENTITY, null, true);
        assertThat(pair.getFirst()).isCloseTo(r.total(), offset(1e-12));
        double[][] g = pair.getSecond().toDoubleMatrix();
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 5; j++) {
                assertThat(g[i][j]).isCloseTo(3 * r.gradient()[i][j], offset(1e-14));
            }
        }
    }

    @Test
    void scoreAfterGradientOnEqualValuesReusesTheClosedForm() {
        DistillationLossFunction loss = dtkd();
        INDArray gradient = loss.computeGradient(LABELS, LOGITS, IDENTITY, null);
        LossResult first = loss.lastBatchResult().orElseThrow();
        double score = loss.computeScore(LABELS.dup(), LOGITS.dup(), IDENTITY, null, true);
        assertThat(loss.evaluations()).as("equal values in distinct arrays: computed once").isEqualTo(1);
        assertThat(loss.lastBatchResult().orElseThrow()).isSameAs(first);
        DistillationLossFunction fresh = dtkd();
        assertThat(score).isEqualTo(fresh.computeScore(LABELS, LOGITS, IDENTITY, null, true));
        assertThat(gradient.toDoubleMatrix()).isDeepEqualTo(
                fresh.computeGradient(LABELS, LOGITS, IDENTITY, null).toDoubleMatrix());
        assertThat(loss.epochStats().orElseThrow().rows()).as("only the gradient call is a training batch")
                .isEqualTo(3);

        INDArray halfLastRow = Nd4j.createFromArray(new double[][]{{1}, {1}, {0.5}});
        double[] maskedScores = loss.computeScoreArray(LABELS, LOGITS, IDENTITY, halfLastRow).toDoubleVector();
        assertThat(loss.evaluations()).as("same kept rows, other weights: reused").isEqualTo(1);
        assertThat(maskedScores).containsExactly(fresh.computeScoreArray(LABELS, LOGITS, IDENTITY, halfLastRow)
                .toDoubleVector());
    }

    @Test
    void aCallWithOtherInputsLeavesEarlierResultsAndRejectionsLeaveNoStaleReuse() {
        DistillationLossFunction loss = dtkd();
        LossResult first = loss.evaluate(LABELS, LOGITS, IDENTITY, null).orElseThrow();
        double[][] firstGradient = Arrays.stream(first.gradient()).map(double[]::clone).toArray(double[][]::new);
        INDArray moved = LOGITS.add(0.25);
        loss.computeGradient(LABELS, moved, IDENTITY, null);
        assertThat(first.gradient()).as("a result does not share the rows the next call reads into")
                .isDeepEqualTo(firstGradient);

        INDArray nan = LOGITS.dup();
        nan.putScalar(0, 0, Double.NaN);
        assertThatThrownBy(() -> loss.computeScore(LABELS, nan, IDENTITY, null, true))
                .isInstanceOf(IllegalArgumentException.class);
        int evaluations = loss.evaluations();
        double again = loss.computeScore(LABELS, moved, IDENTITY, null, true);
        assertThat(loss.evaluations()).as("the rejected call overwrote the rows of the last one")
                .isEqualTo(evaluations + 1);
        assertThat(again).isEqualTo(dtkd().computeScore(LABELS, moved, IDENTITY, null, true));
    }

    @Test
    void changedInputsRecomputeTheClosedForm() {
        DistillationLossFunction loss = dtkd();
        loss.computeScore(LABELS, LOGITS, IDENTITY, null, true);
        INDArray moved = LOGITS.dup();
        moved.putScalar(1, 3, 1.5 + 1e-9);
        double movedScore = loss.computeScore(LABELS, moved, IDENTITY, null, true);
        assertThat(loss.evaluations()).isEqualTo(2);
        assertThat(movedScore).isEqualTo(dtkd().computeScore(LABELS, moved, IDENTITY, null, true));

        INDArray otherTeacher = TeacherLabels.pack(ONE_HOT, TEACHER.add(1e-9));
        loss.computeScore(otherTeacher, moved, IDENTITY, null, true);
        assertThat(loss.evaluations()).isEqualTo(3);
        loss.computeScore(otherTeacher, moved, IDENTITY, Nd4j.createFromArray(new double[][]{{1}, {0}, {1}}), true);
        assertThat(loss.evaluations()).as("a row masked out").isEqualTo(4);

        INDArray otherClass = ONE_HOT.dup();
        otherClass.putScalar(1, 2, 0.0);
        otherClass.putScalar(1, 3, 1.0);
        double otherClassScore = loss.computeScore(TeacherLabels.pack(otherClass, TEACHER.add(1e-9)), moved,
                IDENTITY, null, true);
        assertThat(loss.evaluations()).as("another target class").isEqualTo(5);
        assertThat(otherClassScore).isEqualTo(
                dtkd().computeScore(TeacherLabels.pack(otherClass, TEACHER.add(1e-9)), moved, IDENTITY, null, true));
        INDArray negativeZeros = otherClass.dup();
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 5; j++) {
                if (otherClass.getDouble(i, j) == 0) {
                    negativeZeros.putScalar(i, j, -0.0);
                }
            }
        }
        loss.computeScore(TeacherLabels.pack(negativeZeros, TEACHER.add(1e-9)), moved, IDENTITY, null, true);
        assertThat(Double.doubleToRawLongBits(negativeZeros.getDouble(0, 0))).as("-0.0 in place of 0")
                .isEqualTo(Double.doubleToRawLongBits(-0.0));
        assertThat(loss.evaluations()).as("labels naming the same classes").isEqualTo(5);

        DistillationLossFunction warming = DistillationLossFunction.of(DtkdConfig.defaults());
        warming.setEpoch(1);
        double first = warming.computeScore(LABELS, LOGITS, IDENTITY, null, true);
        warming.setEpoch(2);
        double second = warming.computeScore(LABELS, LOGITS, IDENTITY, null, true);
        assertThat(warming.evaluations()).as("the warmup factor changed").isEqualTo(2);
        assertThat(second).isNotEqualTo(first);

        DistillationLossFunction ce = DistillationLossFunction.of(CeConfig.defaults());
        double packed = ce.computeScore(LABELS, LOGITS, IDENTITY, null, true);
        double plain = ce.computeScore(ONE_HOT, LOGITS, IDENTITY, null, true);
        assertThat(ce.evaluations()).as("labels without the teacher's columns").isEqualTo(2);
        assertThat(plain).isEqualTo(packed);
    }

    @Test
    void oneTrainingStepEvaluatesTheClosedFormOnce() {
        DistillationLossFunction loss = dtkd();
        ComputationGraph graph = Fixtures.graph(loss, new Sgd(0.1), DataType.FLOAT, 11);
        DataSet plain = Fixtures.data(6, DataType.FLOAT, 12);
        INDArray labels = TeacherLabels.pack(plain.getLabels(),
                new Fixtures.LinearTeacher(DataType.FLOAT, 13).logits(plain.getFeatures()));
        double expected = dtkd().computeScore(labels, graph.outputSingle(false, plain.getFeatures()), IDENTITY,
                null, true);
        graph.fit(new DataSet(plain.getFeatures(), labels));
        assertThat(loss.evaluations()).as("DL4J asks for the gradient, then the score").isEqualTo(1);
        assertThat(graph.score()).isCloseTo(expected, offset(1e-5));
        graph.fit(new DataSet(plain.getFeatures(), labels));
        assertThat(loss.evaluations()).as("new parameters, new logits").isEqualTo(2);
    }

    static List<DistillationConfig> float32Configs() {
        return List.of(KdConfig.defaults(), new KdConfig(2.5, 0.3, 1.7), CeConfig.defaults());
    }

    /**
     * KD and the cross-entropy alone on float32 logits and labels run the float32 kernel ({@code FloatKd}): its result
     * holds float values only, the gradient written is that result's, the score call reuses it, and all of it is
     * within float rounding of the closed form of the same values as doubles, masks included.
     */
    @ParameterizedTest
    @MethodSource("float32Configs")
    void float32KdAndCrossEntropyRunTheFloatKernel(DistillationConfig config) {
        INDArray logits = LOGITS.castTo(DataType.FLOAT);
        INDArray labels = LABELS.castTo(DataType.FLOAT);
        INDArray mask = Nd4j.createFromArray(new float[][]{{1}, {0}, {0.5f}});
        DistillationLossFunction loss = DistillationLossFunction.of(config);
        DistillationLossFunction reference = DistillationLossFunction.of(config);
        double[][] gradient = loss.computeGradient(labels, logits, IDENTITY, mask).castTo(DataType.DOUBLE)
                .toDoubleMatrix();
        double[][] expected = reference.computeGradient(labels.castTo(DataType.DOUBLE),
                logits.castTo(DataType.DOUBLE), IDENTITY, mask.castTo(DataType.DOUBLE)).toDoubleMatrix();
        LossResult result = loss.lastBatchResult().orElseThrow();
        LossResult closedForm = reference.lastBatchResult().orElseThrow();
        assertThat(Arrays.stream(result.gradient()).flatMapToDouble(Arrays::stream).allMatch(v -> (float) v == v))
                .as("every gradient entry a float").isTrue();
        assertThat(Arrays.stream(closedForm.gradient()).flatMapToDouble(Arrays::stream)
                .allMatch(v -> (float) v == v)).as("a float64 network gets the double closed form").isFalse();
        float[] factors = {2, 1};
        int[] rows = {0, 2};
        assertThat(gradient[1]).containsOnly(0.0);
        for (int k = 0; k < 2; k++) {
            double scale = Arrays.stream(expected[rows[k]]).map(Math::abs).max().orElseThrow();
            for (int j = 0; j < 5; j++) {
                assertThat(gradient[rows[k]][j]).as("row %d, column %d: the result's entry times N·w", rows[k], j)
                        .isEqualTo((float) result.gradient()[k][j] * factors[k]);
                assertThat(gradient[rows[k]][j]).isCloseTo(expected[rows[k]][j], offset(1e-5 * scale));
            }
            assertThat(result.perSampleTotal()[k]).isCloseTo(closedForm.perSampleTotal()[k],
                    offset(1e-5 * (1 + Math.abs(closedForm.perSampleTotal()[k]))));
        }
        assertThat(loss.lastBatchTargets().orElseThrow()).containsExactly(4, 0);
        assertThat(loss.epochStats()).isEqualTo(reference.epochStats());

        double score = loss.computeScore(labels.dup(), logits.dup(), IDENTITY, mask.dup(), true);
        assertThat(loss.evaluations()).as("the score call on equal values reuses the gradient call's rows")
                .isEqualTo(1);
        assertThat(loss.lastBatchResult().orElseThrow()).isSameAs(result);
        assertThat(score).isCloseTo(reference.computeScore(labels.castTo(DataType.DOUBLE),
                logits.castTo(DataType.DOUBLE), IDENTITY, mask.castTo(DataType.DOUBLE), true), offset(1e-5));
        INDArray moved = logits.dup();
        moved.putScalar(2, 1, Math.nextUp(moved.getFloat(2, 1)));
        loss.computeScore(labels, moved, IDENTITY, mask, true);
        assertThat(loss.evaluations()).as("a logit one float apart").isEqualTo(2);
        loss.computeScore(labels, moved, IDENTITY, null, true);
        assertThat(loss.evaluations()).as("another mask's rows").isEqualTo(3);
        double[][] unmasked = loss.computeGradient(labels, moved, IDENTITY, null).castTo(DataType.DOUBLE)
                .toDoubleMatrix();
        assertThat(loss.evaluations()).as("the gradient of the score call's rows, written from them").isEqualTo(3);
        DistillationLossFunction fresh = DistillationLossFunction.of(config);
        assertThat(unmasked).isDeepEqualTo(fresh.computeGradient(labels, moved, IDENTITY, null)
                .castTo(DataType.DOUBLE).toDoubleMatrix());
    }

    @ParameterizedTest
    @MethodSource("float32Configs")
    void aLogitThatIsNotFiniteGetsTheClosedFormsMessageInFloat32(DistillationConfig config) {
        for (double bad : new double[]{Double.NaN, Double.NEGATIVE_INFINITY}) {
            INDArray logits = LOGITS.dup();
            logits.putScalar(1, 3, bad);
            Throwable expected = catchThrowable(() -> DistillationLossFunction.of(config)
                    .computeGradient(LABELS, logits, IDENTITY, null));
            DistillationLossFunction loss = DistillationLossFunction.of(config);
            assertThatThrownBy(() -> loss.computeGradient(LABELS.castTo(DataType.FLOAT),
                    logits.castTo(DataType.FLOAT), IDENTITY, null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage(expected.getMessage())
                    .hasMessageContaining("at [1, 3]");
            assertThat(loss.lastBatchResult()).isEmpty();
        }
    }

    @Test
    void perExampleMaskDropsRows() {
        DistillationLossFunction loss = dtkd();
        INDArray mask = Nd4j.createFromArray(new double[][]{{1}, {0}, {0.5}});
        double[] scores = loss.computeScoreArray(LABELS, LOGITS, IDENTITY, mask).toDoubleVector();
        double[][] grad = loss.computeGradient(LABELS, LOGITS, IDENTITY, mask).toDoubleMatrix();

        INDArray rows = Nd4j.createFromArray(0L, 2L);
        INDArray subLogits = LOGITS.get(NDArrayIndex.indices(0, 2), NDArrayIndex.all());
        INDArray subLabels = LABELS.get(NDArrayIndex.indices(0, 2), NDArrayIndex.all());
        double[] subScores = loss.computeScoreArray(subLabels, subLogits, IDENTITY, null).toDoubleVector();
        double[][] subGrad = loss.computeGradient(subLabels, subLogits, IDENTITY, null).toDoubleMatrix();
        assertThat(rows.length()).isEqualTo(2);
        assertThat(scores).containsExactly(subScores[0], 0.0, 0.5 * subScores[1]);
        assertThat(grad[1]).containsOnly(0.0);
        assertThat(grad[0]).containsExactly(subGrad[0]);
        for (int j = 0; j < 5; j++) {
            assertThat(grad[2][j]).isEqualTo(0.5 * subGrad[1][j]);
        }
        INDArray allMasked = Nd4j.zeros(DataType.DOUBLE, 3, 1);
        assertThat(loss.computeScore(LABELS, LOGITS, IDENTITY, allMasked, true)).isEqualTo(0.0);
        assertThat(loss.evaluate(LABELS, LOGITS, IDENTITY, allMasked)).isEmpty();
    }

    @Test
    void nonIdentityActivationIsBackpropagated() {
        DistillationLossFunction loss = dtkd();
        ActivationTanH tanh = new ActivationTanH();
        double[][] g = loss.computeGradient(LABELS, LOGITS, tanh, null).toDoubleMatrix();
        double h = 1e-6;
        for (int j = 0; j < 5; j++) {
            INDArray plus = LOGITS.dup();
            plus.putScalar(1, j, plus.getDouble(1, j) + h);
            INDArray minus = LOGITS.dup();
            minus.putScalar(1, j, minus.getDouble(1, j) - h);
            double numeric = (loss.computeScore(LABELS, plus, tanh, null, false)
                    - loss.computeScore(LABELS, minus, tanh, null, false)) / (2 * h);
            assertThat(g[1][j]).isCloseTo(numeric, offset(1e-6));
        }
    }

    @Test
    void neverWritesItsInputsAndReadsEveryLayoutAlike() {
        for (IActivation activation : List.of(IDENTITY, new ActivationTanH())) {
            DistillationLossFunction loss = dtkd();
            INDArray logits = LOGITS.dup();
            INDArray labels = LABELS.dup();
            INDArray gradient = loss.computeGradient(labels, logits, activation, null);
            double score = loss.computeScore(labels, logits, activation, null, true);
            assertThat(logits.toDoubleMatrix()).as("%s", activation).isDeepEqualTo(LOGITS.toDoubleMatrix());
            assertThat(labels.toDoubleMatrix()).as("%s", activation).isDeepEqualTo(LABELS.toDoubleMatrix());
            INDArray wide = Nd4j.hstack(LABELS, LABELS);
            INDArray labelsView = wide.get(NDArrayIndex.all(), NDArrayIndex.interval(0, LABELS.size(1)));
            assertThat(loss.computeGradient(labelsView, LOGITS.dup('f'), activation, null).toDoubleMatrix())
                    .as("%s, f-order logits and a labels view", activation).isDeepEqualTo(gradient.toDoubleMatrix());
            assertThat(loss.computeScore(labelsView, LOGITS.dup('f'), activation, null, true)).isEqualTo(score);
        }
    }

    @Test
    void badInputsAreNamed() {
        DistillationLossFunction loss = dtkd();
        assertThatThrownBy(() -> loss.computeScore(ONE_HOT, LOGITS, IDENTITY, null, true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll("labels must be [N, 2C] = [3, 10]", "TeacherLabels.pack", "found [3, 5]");
        INDArray nanLogits = LOGITS.dup();
        nanLogits.putScalar(2, 1, Double.NaN);
        assertThatThrownBy(() -> loss.computeGradient(LABELS, nanLogits, IDENTITY, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll("student logits must be finite", "NaN", "[2, 1]");
        INDArray infTeacher = LABELS.dup();
        infTeacher.putScalar(0, 7, Double.POSITIVE_INFINITY);
        assertThatThrownBy(() -> loss.computeGradient(infTeacher, LOGITS, IDENTITY, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll("teacher logits must be finite", "Infinity", "[0, 2]");
        INDArray soft = LABELS.dup();
        soft.putScalar(1, 0, 0.5);
        assertThatThrownBy(() -> loss.computeGradient(soft, LOGITS, IDENTITY, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("labels row 1 is not one-hot: found 0.5 at column 0");
        assertThatThrownBy(() -> loss.computeGradient(LABELS, LOGITS, new ActivationSoftmax(), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Activation.IDENTITY");
        assertThatThrownBy(() -> loss.computeGradient(LABELS, LOGITS, IDENTITY, Nd4j.ones(DataType.DOUBLE, 3, 5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll("per-example masks [N, 1] = [3, 1]", "found [3, 5]");
        assertThatThrownBy(() -> loss.computeGradient(LABELS.getRows(0, 1), LOGITS, IDENTITY, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("found [2, 10]");
        assertThatThrownBy(() -> DistillationLossFunction.of(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void strictPolicyThrowsFromTheLossFunction() {
        DistillationLossFunction loss = DistillationLossFunction.of(
                DtkdConfig.defaults().withHazardPolicy(HazardPolicy.STRICT));
        loss.setEpoch(1);
        INDArray negativeTeacher = TEACHER.sub(10.0);
        assertThatThrownBy(() -> loss.computeGradient(TeacherLabels.pack(ONE_HOT, negativeTeacher), LOGITS,
                IDENTITY, null))
                .isInstanceOf(org.dtkd4j.core.loss.HazardException.class).hasMessageStartingWith("row 0:");
    }

    @Test
    void warmupNeedsAnEpoch() {
        DistillationLossFunction loss = DistillationLossFunction.of(DkdConfig.defaults());
        assertThat(loss.epoch()).isEmpty();
        assertThatThrownBy(() -> loss.computeScore(LABELS, LOGITS, IDENTITY, null, true))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("DistillationListener");
        loss.setEpoch(5);
        assertThat(loss.warmupFactor()).isEqualTo(0.25);
        assertThatThrownBy(() -> loss.setEpoch(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("epoch must be >= 0, found -1");
        DistillationLossFunction kd = DistillationLossFunction.of(KdConfig.defaults());
        assertThat(kd.warmupFactor()).isEqualTo(1.0);
        assertThat(kd.computeScore(LABELS, LOGITS, IDENTITY, null, true)).isPositive();
        DistillationLossFunction ce = DistillationLossFunction.of(CeConfig.defaults());
        assertThat(ce.computeScore(ONE_HOT, LOGITS, IDENTITY, null, true))
                .isEqualTo(ce.computeScore(LABELS, LOGITS, IDENTITY, null, true));
    }

    @Test
    void temperatureStatisticsPerBatchAndPerEpoch() {
        DistillationLossFunction loss = dtkd();
        assertThat(loss.lastBatchStats()).isEmpty();
        loss.computeScore(LABELS, LOGITS, IDENTITY, null, true);
        assertThat(loss.lastBatchStats()).isPresent();
        assertThat(loss.epochStats()).as("scores alone are not training steps").isEmpty();
        LossResult r = loss.evaluate(LABELS, LOGITS, IDENTITY, null).orElseThrow();
        loss.computeGradient(LABELS, LOGITS, IDENTITY, null);
        loss.computeGradient(LABELS, LOGITS, IDENTITY, null);
        var last = loss.lastBatchStats().orElseThrow();
        assertThat(last.rows()).isEqualTo(3);
        assertThat(last.studentMax()).isEqualTo(max(r.studentTemperatures()));
        assertThat(last.teacherMin()).isEqualTo(-max(negate(r.teacherTemperatures())));
        assertThat(last.guardedRows()).isZero();
        assertThat(loss.epochStats().orElseThrow().rows()).isEqualTo(6);
        loss.setEpoch(6);
        assertThat(loss.epochStats()).isEmpty();
    }

    private static double max(double[] x) {
        double m = Double.NEGATIVE_INFINITY;
        for (double v : x) {
            m = Math.max(m, v);
        }
        return m;
    }

    private static double[] negate(double[] x) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = -x[i];
        }
        return out;
    }
}
