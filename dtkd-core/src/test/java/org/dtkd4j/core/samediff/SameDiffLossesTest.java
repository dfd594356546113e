package org.dtkd4j.core.samediff;

import org.dtkd4j.core.config.CeConfig;
import org.dtkd4j.core.config.DistillationConfig;
import org.dtkd4j.core.config.DkdConfig;
import org.dtkd4j.core.config.DtkdConfig;
import org.dtkd4j.core.config.DtkdDkdConfig;
import org.dtkd4j.core.config.HazardPolicy;
import org.dtkd4j.core.config.KdConfig;
import org.dtkd4j.core.loss.DistillationLosses;
import org.dtkd4j.core.loss.HazardException;
import org.dtkd4j.core.loss.LossResult;
import org.dtkd4j.core.loss.TemperatureStats;
import org.dtkd4j.core.loss.Term;
import org.dtkd4j.core.loss.TermResult;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.dataset.adapter.SingletonMultiDataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

/** The SameDiff op against the closed form, its invariants, input validation and execution-time checks. */
@ExtendWith(SingleThreadedNd4j.class)
class SameDiffLossesTest {

    private static final double[][] S = {{1.5, -0.25, 3.0, 0.75, 0.1}, {-2.0, 4.5, 0.5, 1.0, 2.2},
        {0.3, 0.2, -0.1, 2.2, 1.4}, {2.5, 1.0, 0.0, -1.5, 0.5}};
    /** Row 3's maximum is negative while the student's is positive: a guarded row. */
    private static final double[][] T = {{0.5, 2.0, 1.25, -1.0, 0.2}, {3.0, 1.0, -0.5, 0.25, 0.8},
        {1.7, -0.4, 0.9, 0.1, 2.5}, {-3.0, -2.0, -4.0, -2.5, -6.0}};
    private static final int[] Y = {2, 0, 3, 1};

    static List<DistillationConfig> configs() {
        return List.of(CeConfig.defaults(), new KdConfig(3, 0.3, 0.7), DkdConfig.defaults(),
                new DtkdConfig(2, 0.5, 3, 0.7, 9, false, HazardPolicy.GUARDED), DtkdDkdConfig.defaults(),
                DtkdDkdConfig.defaults().withDetachTemperatures(true),
                DtkdConfig.defaults().withDetachTemperatures(true).withHazardPolicy(HazardPolicy.STRICT));
    }

    /** The graph's {@code total} node, terms, temperatures and gradient equal the closed form in float64. */
    @ParameterizedTest
    @MethodSource("configs")
    void agreesWithTheClosedForm(DistillationConfig config) {
        double[][] s = S;
        double[][] t = T;
        int[] y = Y;
        if (config instanceof DtkdConfig c && c.hazardPolicy() == HazardPolicy.STRICT) {
            s = new double[][]{S[0], S[1], S[2]};
            t = new double[][]{T[0], T[1], T[2]};
            y = new int[]{Y[0], Y[1], Y[2]};
        }
        SameDiffHarness h = new SameDiffHarness(config, DataType.DOUBLE, false, 5).inputs(s, t, y, 4);
        Map<String, INDArray> out = h.loss.exec(h.placeholders());
        LossResult r = DistillationLosses.evaluate(config, s, t, y, 4);
        assertThat(out.get(LossVariables.TOTAL).getDouble(0)).isCloseTo(r.total(), offset(1e-12));
        for (TermResult term : r.terms().values()) {
            assertThat(out.get(term.term().outputName()).getDouble(0)).as(term.term().toString())
                    .isCloseTo(term.value(), offset(1e-12));
            assertClose(out.get(LossVariables.PER_SAMPLE + term.term().outputName()).toDoubleVector(),
                    term.perSample());
        }
        assertClose(out.get(LossVariables.PER_SAMPLE + LossVariables.TOTAL).toDoubleVector(), r.perSampleTotal());
        if (config.method().usesTeacher()) {
            assertClose(out.get(LossVariables.T_STU).toDoubleVector(), r.studentTemperatures());
            assertClose(out.get(LossVariables.T_TEA).toDoubleVector(), r.teacherTemperatures());
            assertThat(out.get(LossVariables.GUARDED_ROWS).getDouble(0)).isEqualTo(r.guardedRows());
        }
        h.sd.setLossVariables(h.loss.total().name());
        h.sd.createGradFunction("s");
        double[][] g = h.sd.calculateGradients(h.placeholders(), "s").get("s").toDoubleMatrix();
        for (int i = 0; i < g.length; i++) {
            assertClose(g[i], r.gradient()[i]);
        }
    }

    private static void assertClose(double[] got, double[] expected) {
        assertThat(got).hasSameSizeAs(expected);
        for (int i = 0; i < got.length; i++) {
            assertThat(got[i]).as("[%d]", i).isCloseTo(expected[i], offset(1e-12 * Math.max(1, Math.abs(expected[i]))));
        }
    }

    @Test
    void invariantsWhenMaximaAreEqual() {
        double[][] t = new double[S.length][];
        for (int i = 0; i < S.length; i++) {
            t[i] = S[i].clone();
            int argMax = 0;
            for (int j = 1; j < 5; j++) {
                argMax = S[i][j] > S[i][argMax] ? j : argMax;
            }
            for (int j = 0; j < 5; j++) {
                t[i][j] -= j == argMax ? 0 : 0.3 * (j + 1);
            }
        }
        Map<String, INDArray> dtkd = new SameDiffHarness(DtkdConfig.defaults(), DataType.DOUBLE, false, 5)
                .inputs(S, t, Y, 30).loss.sameDiff().output(placeholders(S, t), "loss/L_dtkd", "loss/L_kd");
        assertThat(dtkd.get("loss/L_dtkd").getDouble(0)).isEqualTo(dtkd.get("loss/L_kd").getDouble(0));

        SameDiffHarness combined = new SameDiffHarness(DtkdDkdConfig.defaults(), DataType.DOUBLE, false, 5)
                .inputs(S, t, Y, 30);
        SameDiffHarness dkd = new SameDiffHarness(DkdConfig.defaults(), DataType.DOUBLE, false, 5).inputs(S, t, Y, 30);
        assertThat(combined.loss.exec(combined.placeholders()).get(LossVariables.TOTAL).getDouble(0))
                .isEqualTo(dkd.loss.exec(dkd.placeholders()).get(LossVariables.TOTAL).getDouble(0));

        SameDiffHarness same = new SameDiffHarness(DtkdDkdConfig.defaults(), DataType.DOUBLE, false, 5)
                .inputs(S, S, Y, 30);
        Map<String, INDArray> zero = same.loss.exec(same.placeholders());
        assertThat(zero.get(Term.TCKD.outputName()).getDouble(0)).isEqualTo(0.0);
        assertThat(zero.get(Term.NCKD.outputName()).getDouble(0)).isEqualTo(0.0);
    }

    private static Map<String, INDArray> placeholders(double[][] s, double[][] t) {
        Map<String, INDArray> ph = new HashMap<>();
        ph.put("s", Nd4j.createFromArray(s));
        ph.put("t", Nd4j.createFromArray(t));
        ph.put("y", Nd4j.createFromArray(0L, 1L, 2L, 3L));
        ph.put("epoch", Nd4j.scalar(30));
        return ph;
    }

    @Test
    void integerAndOneHotLabelsAgree() {
        DtkdDkdConfig config = DtkdDkdConfig.defaults();
        Map<String, INDArray> a = new SameDiffHarness(config, DataType.DOUBLE, false, 5).inputs(S, T, Y, 8)
                .outputs();
        Map<String, INDArray> b = new SameDiffHarness(config, DataType.DOUBLE, true, 5).inputs(S, T, Y, 8)
                .outputs();
        for (String output : a.keySet()) {
            if (!output.equals(LossVariables.LABELS)) {
                assertThat(b.get(output)).as(output).isEqualTo(a.get(output));
            }
        }
    }

    @Test
    void namedOutputsAndStatistics() {
        SameDiffHarness h = new SameDiffHarness(DtkdConfig.defaults(), DataType.DOUBLE, false, 5).inputs(S, T, Y, 2);
        assertThat(h.loss.outputNames()).contains("total", "L_dtkd", "L_kd", "L_ce", "T_stu", "T_tea",
                "per_sample/L_dtkd", "guarded_rows", "warmup_factor");
        assertThat(h.loss.total().name()).isEqualTo("loss/total");
        assertThat(h.loss.term(Term.DTKD).name()).isEqualTo("loss/L_dtkd");
        Map<String, INDArray> values = h.sd.output(h.placeholders(), "loss/T_stu", "loss/T_tea",
                "loss/guarded_rows", "loss/warmup_factor");
        TemperatureStats stats = h.loss.temperatureStats(values);
        TemperatureStats expected = DistillationLosses.evaluate(DtkdConfig.defaults(), S, T, Y, 2)
                .temperatureStats();
        assertThat(stats.guardedRows()).isEqualTo(1).isEqualTo(expected.guardedRows());
        assertThat(stats.studentMean()).isCloseTo(expected.studentMean(), offset(1e-12));
        assertThat(stats.teacherMax()).isCloseTo(expected.teacherMax(), offset(1e-12));
        assertThat(values.get("loss/warmup_factor").getDouble(0)).isEqualTo(0.1);
        assertThatThrownBy(() -> h.loss.get("nope")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("has no output \"nope\"");
    }

    @Test
    void executionChecksInputValues() {
        SameDiffHarness h = new SameDiffHarness(DtkdConfig.defaults(), DataType.DOUBLE, false, 5).inputs(S, T, Y, 2);
        Map<String, INDArray> nan = new HashMap<>(h.placeholders());
        INDArray s = nan.get("s").dup();
        s.putScalar(2, 3, Double.NaN);
        nan.put("s", s);
        assertThatThrownBy(() -> h.sd.output(nan, h.loss.total().name()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll("student logits must be finite", "NaN", "[2, 3]");
        Map<String, INDArray> badLabel = new HashMap<>(h.placeholders());
        badLabel.put("y", Nd4j.createFromArray(0L, 1L, 5L, 2L));
        assertThatThrownBy(() -> h.loss.exec(badLabel)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("labels[2] = 5 is out of range [0, 5)");
        Map<String, INDArray> infTeacher = new HashMap<>(h.placeholders());
        INDArray t = infTeacher.get("t").dup();
        t.putScalar(0, 0, Double.POSITIVE_INFINITY);
        infTeacher.put("t", t);
        assertThatThrownBy(() -> h.loss.exec(infTeacher)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll("teacher logits must be finite", "Infinity", "[0, 0]");
    }

    @Test
    void strictThrowsDuringExecution() {
        SameDiffHarness h = new SameDiffHarness(DtkdConfig.defaults().withHazardPolicy(HazardPolicy.STRICT),
                DataType.DOUBLE, false, 5).inputs(S, T, Y, 2);
        assertThatThrownBy(() -> h.sd.output(h.placeholders(), h.loss.total().name()))
                .isInstanceOf(HazardException.class).hasMessageStartingWith("row 3:")
                .hasMessageContainingAll("ms=2.5", "mt=-2.0");
        h.sd.setLossVariables(h.loss.total().name());
        h.sd.createGradFunction("s");
        assertThatThrownBy(() -> h.sd.calculateGradients(h.placeholders(), "s"))
                .isInstanceOf(HazardException.class).hasMessageStartingWith("row 3:");
        h.sd.setListeners();
        Map<String, INDArray> values = h.sd.output(h.placeholders(), "loss/student_logits", "loss/teacher_logits",
                "loss/labels", "loss/total");
        assertThat(values.get("loss/total").getDouble(0)).as("a STRICT graph computes like GUARDED").isFinite();
        assertThatThrownBy(() -> h.loss.check(values)).isInstanceOf(HazardException.class)
                .hasMessageStartingWith("row 3:");
        assertThatThrownBy(() -> h.loss.exec(h.placeholders())).isInstanceOf(HazardException.class);
    }

    @Test
    void nonFiniteTotalIsRejectedOutsideOfficial() {
        double[][] s = {{1e10, -1e10, 0, 1, 2}, {1, 2, 3, 4, 5}};
        double[][] t = {{1, 2, 3, 4, 5}, {5, 4, 3, 2, 1}};
        SameDiffHarness h = new SameDiffHarness(new KdConfig(1e-30, 0.1, 0.9), DataType.FLOAT, false, 5)
                .inputs(s, t, new int[]{0, 1}, 1);
        assertThatThrownBy(() -> h.sd.output(h.placeholders(), h.loss.total().name()))
                .isInstanceOf(ArithmeticException.class)
                .hasMessageContainingAll("loss/total is NaN", "exceed the range of FLOAT");
    }

    @Test
    void fitTrainsAStudentAndKeepsChecking() {
        Random random = new Random(3);
        double[][] x = new double[8][3];
        for (double[] row : x) {
            for (int j = 0; j < 3; j++) {
                row[j] = random.nextGaussian();
            }
        }
        SameDiff sd = SameDiff.create();
        SDVariable features = sd.placeHolder("x", DataType.DOUBLE, -1, 3);
        SDVariable teacher = sd.placeHolder("t", DataType.DOUBLE, -1, 5);
        SDVariable labels = sd.placeHolder("y", DataType.DOUBLE, -1, 5);
        SDVariable w = sd.var("w", Nd4j.rand(DataType.DOUBLE, 3, 5).subi(0.5));
        SDVariable b = sd.var("b", Nd4j.zeros(DataType.DOUBLE, 1, 5));
        LossVariables loss = SameDiffLosses.create(sd, "dtkd", features.mmul(w).add(b), teacher, labels, null,
                DtkdConfig.defaults());
        sd.setLossVariables(loss.total().name());
        sd.setTrainingConfig(TrainingConfig.builder().updater(new Sgd(0.05))
                .dataSetFeatureMapping("x", "t").dataSetLabelMapping("y").build());
        INDArray teacherLogits = Nd4j.createFromArray(x).mmul(Nd4j.rand(DataType.DOUBLE, 3, 5)).addi(3.0);
        INDArray oneHot = Nd4j.zeros(DataType.DOUBLE, 8, 5);
        for (int i = 0; i < 8; i++) {
            oneHot.putScalar(i, i % 5, 1.0);
        }
        MultiDataSet data = new MultiDataSet(new INDArray[]{Nd4j.createFromArray(x), teacherLogits},
                new INDArray[]{oneHot});
        Map<String, INDArray> ph = Map.of("x", data.getFeatures(0), "t", teacherLogits, "y", oneHot);
        double before = sd.output(ph, loss.total().name()).get(loss.total().name()).getDouble(0);
        sd.fit(new SingletonMultiDataSetIterator(data), 20);
        assertThat(sd.output(ph, loss.total().name()).get(loss.total().name()).getDouble(0)).isLessThan(before);

        INDArray soft = oneHot.dup();
        soft.putScalar(0, 1, 0.5);
        MultiDataSet bad = new MultiDataSet(new INDArray[]{Nd4j.createFromArray(x), teacherLogits},
                new INDArray[]{soft});
        assertThatThrownBy(() -> sd.fit(new SingletonMultiDataSetIterator(bad), 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("labels row 0 is not one-hot");
    }

    @Test
    void buildTimeValidation() {
        SameDiff sd = SameDiff.create();
        SDVariable s = sd.placeHolder("s", DataType.FLOAT, -1, 5);
        SDVariable t = sd.placeHolder("t", DataType.FLOAT, -1, 5);
        SDVariable y = sd.placeHolder("y", DataType.INT64, -1);
        DtkdConfig config = DtkdConfig.defaults();
        rejects(() -> SameDiffLosses.create(sd, "a", null, t, y, null, config), "student logits must not be null");
        rejects(() -> SameDiffLosses.create(sd, "a", s, null, y, null, config), "teacher logits must not be null");
        rejects(() -> SameDiffLosses.create(sd, "a", s, t, null, null, config), "labels must not be null");
        rejects(() -> SameDiffLosses.create(sd, "a", s, t, y, null, null), "null config");
        rejects(() -> SameDiffLosses.create(sd, "", s, t, y, null, config), "loss name must be non-empty");
        rejects(() -> SameDiffLosses.create(sd, "a:b", s, t, y, null, config), "contain no ':'");
        rejects(() -> SameDiffLosses.create(sd, "a", s, sd.placeHolder("t4", DataType.FLOAT, -1, 4), y, null, config),
                "teacher logits shape [-1, 4] does not match student logits shape [-1, 5]");
        rejects(() -> SameDiffLosses.create(sd, "a", s, sd.placeHolder("td", DataType.DOUBLE, -1, 5), y, null, config),
                "teacher logits must have the student logits' data type FLOAT, found DOUBLE");
        rejects(() -> SameDiffLosses.create(sd, "a", sd.placeHolder("s1", DataType.FLOAT, -1, 1),
                sd.placeHolder("t1", DataType.FLOAT, -1, 1), y, null, config), "C >= 2, found shape [-1, 1]");
        rejects(() -> SameDiffLosses.create(sd, "a", sd.placeHolder("si", DataType.INT32, -1, 5), t, y, null, config),
                "student logits must be floating point, found INT");
        rejects(() -> SameDiffLosses.create(sd, "a", s, t, sd.placeHolder("yb", DataType.BOOL, -1), null, config),
                "labels must be integer class indices or floating-point one-hot rows, found BOOL");
        rejects(() -> SameDiffLosses.create(sd, "a", s, t, sd.placeHolder("y2", DataType.INT64, -1, 5), null, config),
                "integer labels must be [N] class indices, found shape [-1, 5]");
        rejects(() -> SameDiffLosses.create(sd, "a", s, t, sd.placeHolder("yh", DataType.FLOAT, -1, 4), null, config),
                "labels shape [-1, 4] does not match student logits shape [-1, 5]");
        rejects(() -> SameDiffLosses.create(sd, "a", s, t, y, sd.constant(Nd4j.ones(2)), config),
                "epoch must be a scalar, found shape [2]");
        SameDiff other = SameDiff.create();
        rejects(() -> SameDiffLosses.create(sd, "a", other.placeHolder("s", DataType.FLOAT, -1, 5), t, y, null, config),
                "belongs to another SameDiff instance");
        SameDiffLosses.create(sd, "ok", s, t, y, null, config);
        rejects(() -> SameDiffLosses.create(sd, "ok", s, t, y, null, config), "already has a loss named \"ok\"");
        assertThat(SameDiffLosses.create(sd, "kd", s, t, y, null, KdConfig.defaults()).outputNames())
                .contains("L_kd", "L_ce").doesNotContain("L_dtkd");
        assertThat(SameDiffLosses.create(sd, "dkd", s, t, y, null, DkdConfig.defaults()).outputNames())
                .contains("L_tckd", "L_nckd");
        assertThat(SameDiffLosses.create(sd, "both", s, t, y, null, DtkdDkdConfig.defaults()).outputNames())
                .contains("L_tckd", "L_nckd", "T_stu");
        assertThat(SameDiffLosses.create(sd, "ce", s, null, y, null, CeConfig.defaults()).outputNames())
                .contains("L_ce").doesNotContain("T_stu", "teacher_logits");
    }

    private static void rejects(Runnable build, String message) {
        assertThatThrownBy(build::run).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
    }
}
