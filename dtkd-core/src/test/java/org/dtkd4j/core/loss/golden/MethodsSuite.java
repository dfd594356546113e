package org.dtkd4j.core.loss.golden;

import com.fasterxml.jackson.databind.JsonNode;
import org.dtkd4j.core.config.ConfigKey;
import org.dtkd4j.core.config.ConfigValues;
import org.dtkd4j.core.config.DistillationConfig;
import org.dtkd4j.core.config.HazardPolicy;
import org.dtkd4j.core.config.Method;
import org.dtkd4j.core.loss.DistillationLosses;
import org.dtkd4j.core.loss.HazardException;
import org.dtkd4j.core.loss.Term;
import org.junit.jupiter.api.DynamicTest;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The golden files of {@code methods/} (numbers of other methods' official code, see the README there) as dynamic
 * tests of an implementation. Each file's {@code official_config_keys} names its blocks; a block's method is the
 * registered {@link Method} whose record has the block's {@code distiller_type} and {@code logit_stand}, exactly as
 * the YAML reader selects it, and its configuration is read from the case's {@code params} through the official
 * keys ({@link DistillationConfig#withOfficialKeys}). Cases are selected by their properties only.
 *
 * <p>Hazards: a row whose student or teacher logits are all equal is degenerate. OFFICIAL must reproduce the file;
 * STRICT must throw a {@link HazardException} naming the first such row; GUARDED must give the file's values where
 * they are finite, finite values equal to the closed form's where they are not (NormKD's {@code T = 0}), and, in
 * rows whose student logits are constant or whose official gradient is not finite, the cross-entropy's gradient
 * alone (the distillation terms there have zero gradient), counting the degenerate rows as guarded.
 *
 * <p>NormKD's temperature of a constant student row is the rounding error of its std: 0 in a batch (the official
 * NaN, reproduced), about 1e-16 for a batch of one row (finite official values, reproduced, with gradients of
 * order 1e16 that are rounding noise of torch's evaluation order). OFFICIAL compares those gradients, of blocks
 * with normalised temperatures ({@code T_tea} outputs) in constant student rows, only for being finite where the
 * file's are.
 *
 * <p>Float32 exceptions of the README, selected by the block's outputs: on normalised temperatures (blocks with
 * {@code T_tea}) TCKD's per-sample values get the absolute tolerance {@code 1e-5·T_tea²} (its batch value
 * {@code 1e-5·mean(T_tea²)}), and gradients with two classes 1e-3 of the array's max, at least 1e-3 of the total's
 * gradient max (with two classes NormKD's terms are invariant to the student logits, so their whole gradient is
 * rounding noise amplified by {@code T_tea²/T_stu}).
 */
public final class MethodsSuite {

    /** The files of {@code methods/} whose methods are implemented. */
    public static final List<String> FILES = List.of("methods/ls_kd.json", "methods/normkd.json");

    /** Output keys of a term: its batch value; the per-sample and gradient keys follow from it. */
    private static final Map<Term, String> TERM_KEYS = Map.of(Term.KD, "kd_loss", Term.TCKD, "tckd",
            Term.NCKD, "nckd");
    private static final Map<Term, String> PER_SAMPLE_KEYS = Map.of(Term.KD, "per_sample_kd", Term.TCKD,
            "per_sample_tckd", Term.NCKD, "per_sample_nckd");

    private MethodsSuite() {
    }

    /** One block of a file: its name, method and official keys by parameter name. */
    public record Block(String name, Method method, Map<String, String> keys) {
    }

    /** @return the blocks of every file in {@link #FILES} */
    public static List<Block> blocks(String file) {
        JsonNode keys = GoldenLosses.root(file).path("official_config_keys");
        if (!keys.isObject() || keys.isEmpty()) {
            throw new IllegalStateException(file + " has no official_config_keys");
        }
        List<Block> blocks = new ArrayList<>();
        keys.fields().forEachRemaining(e -> {
            JsonNode k = e.getValue();
            String type = k.path("distiller_type").asText();
            boolean stand = k.has("logit_stand");
            Method method = Arrays.stream(Method.values())
                    .filter(m -> m.defaultConfig().officialType().equalsIgnoreCase(type)
                            && m.defaultConfig().logitStandardization() == stand)
                    .findFirst().orElseThrow(() -> new IllegalStateException(file + ": no method for block "
                            + e.getKey() + " (DISTILLER.TYPE " + type + ", logit standardisation " + stand + ")"));
            Map<String, String> byParam = new HashMap<>();
            k.fields().forEachRemaining(p -> byParam.put(p.getKey(), p.getValue().asText()));
            blocks.add(new Block(e.getKey(), method, byParam));
        });
        return blocks;
    }

    /**
     * @param impl      the implementation
     * @param precision {@link Precision#FLOAT32} restricts the suite to non-hazard cases
     * @param policies  which policies to run
     * @return one test per file, case, block and policy, named {@code <case> <METHOD> <POLICY>}
     */
    public static List<DynamicTest> tests(GoldenImplementation impl, Precision precision,
                                          GoldenSuite.Policies policies) {
        List<DynamicTest> tests = new ArrayList<>();
        for (String file : FILES) {
            for (GoldenCase c : GoldenLosses.cases(file)) {
                if (precision == Precision.FLOAT32 && c.hazard()) {
                    continue;
                }
                for (Block b : blocks(file)) {
                    boolean all = policies == GoldenSuite.Policies.ALL || c.hazard();
                    for (HazardPolicy policy : all ? List.of(HazardPolicy.values()) : List.of(HazardPolicy.GUARDED)) {
                        tests.add(DynamicTest.dynamicTest(c.name() + " " + b.method() + " " + policy,
                                () -> check(impl, c, b, policy, precision)));
                    }
                }
            }
        }
        assertThat(tests).isNotEmpty();
        return tests;
    }

    /** @return the configuration of a block for a case, with the given policy */
    public static DistillationConfig config(GoldenCase c, Block b, HazardPolicy policy) {
        Map<String, String> paramByKey = new HashMap<>();
        b.keys().forEach((param, key) -> paramByKey.put(key, param));
        ConfigValues values = new ConfigValues() {
            @Override
            public double real(String key) {
                return c.param(b.name(), param(key));
            }

            @Override
            public int integer(String key) {
                return c.intParam(b.name(), param(key));
            }

            private String param(String key) {
                String p = paramByKey.get(key);
                if (p == null) {
                    throw new IllegalStateException(b.name() + " maps no parameter to " + key);
                }
                return p;
            }

            @Override
            public HazardPolicy hazardPolicy() {
                return policy;
            }

            @Override
            public boolean detachTemperatures() {
                return false;
            }
        };
        DistillationConfig config = b.method().defaultConfig().withOfficialKeys(values);
        assertThat(config.officialKeys()).extracting(ConfigKey::name).allSatisfy(k -> assertThat(paramByKey)
                .as("%s maps every key of %s", b.name(), b.method()).containsKey(k));
        return config;
    }

    /** @return the epoch of a block's case: its {@code params.epoch}, 1 for a block without warmup */
    public static int epoch(GoldenCase c, Block b) {
        return c.has(b.name(), "params", "epoch") ? c.intParam(b.name(), "epoch") : 1;
    }

    /** @return the rows whose student (index 0) or teacher (index 1) logits are all equal */
    public static boolean[][] constantRows(GoldenCase c) {
        double[][][] both = {c.student(), c.teacher()};
        boolean[][] out = new boolean[2][c.n()];
        for (int side = 0; side < 2; side++) {
            for (int i = 0; i < c.n(); i++) {
                double[] row = both[side][i];
                out[side][i] = Arrays.stream(row).allMatch(v -> v == row[0]);
            }
        }
        return out;
    }

    static void check(GoldenImplementation impl, GoldenCase c, Block b, HazardPolicy policy, Precision precision) {
        DistillationConfig config = config(c, b, policy);
        int epoch = epoch(c, b);
        boolean[][] constant = constantRows(c);
        int firstConstant = -1;
        int degenerate = 0;
        for (int i = c.n() - 1; i >= 0; i--) {
            if (constant[0][i] || constant[1][i]) {
                firstConstant = i;
                degenerate++;
            }
        }
        if (policy == HazardPolicy.STRICT && firstConstant >= 0) {
            int row = firstConstant;
            assertThatThrownBy(() -> impl.evaluate(c, config, epoch)).isInstanceOf(HazardException.class)
                    .hasMessageContaining("row " + row + ": ")
                    .satisfies(e -> assertThat(((HazardException) e).row()).isEqualTo(row));
            return;
        }
        Outcome got = impl.evaluate(c, config, epoch);
        String s = b.name();
        boolean normalized = c.has(s, "outputs", "T_tea");
        boolean float32 = precision.equals(Precision.FLOAT32);
        double totalScale = Arrays.stream(c.gradient(s, "loss_total")).flatMapToDouble(Arrays::stream)
                .filter(Double::isFinite).map(Math::abs).max().orElse(0);
        Precision p = c.hazard() && c.n() == 1
                ? new Precision(precision.valueRtol(), precision.valueAtol(), 1e-8, precision.gradAtol())
                : float32 && normalized && c.c() == 2
                ? new Precision(precision.valueRtol(), precision.valueAtol(), 1e-3,
                        Math.max(precision.gradAtol(), 1e-3 * totalScale))
                : precision;
        boolean guarded = policy == HazardPolicy.GUARDED;
        Mismatches m = new Mismatches(c.name() + " " + b.method() + " " + policy, p, false, guarded);
        Outcome closedForm = guarded ? Outcome.of(DistillationLosses.evaluate(config, c.student(), c.teacher(),
                c.targets(), epoch)) : null;
        double[][] ceGrad = scale(c.gradient(s, "loss_ce"), 1.0);
        double[][] total = c.gradient(s, "loss_total");
        boolean[] frozen = new boolean[c.n()];
        for (int i = 0; i < c.n(); i++) {
            frozen[i] = guarded && (constant[0][i] || !Arrays.stream(total[i]).allMatch(Double::isFinite));
            if (frozen[i]) {
                total[i] = ceGrad[i];
            }
        }
        m.value("loss_total", got.total(), guardedReference(closedForm, Outcome::total, c.output(s, "loss_total")));
        boolean[][] noise = new boolean[c.n()][c.c()];
        for (int i = 0; i < c.n(); i++) {
            Arrays.fill(noise[i], normalized && policy == HazardPolicy.OFFICIAL && constant[0][i]
                    && Arrays.stream(total[i]).allMatch(Double::isFinite));
        }
        m.gradient("grad.loss_total", got.gradient(), total, noise);
        double ceWeight = config.ceWeight();
        m.value("loss_ce", ceWeight * require(got.values(), Term.CE, c), c.output(s, "loss_ce"));
        m.gradient("grad.loss_ce", scale(require(got.gradients(), Term.CE, c), ceWeight), ceGrad,
                new boolean[c.n()][c.c()]);
        for (Map.Entry<Term, String> t : TERM_KEYS.entrySet()) {
            if (!c.has(s, "outputs", t.getValue())) {
                continue;
            }
            Term term = t.getKey();
            double value = guardedReference(closedForm, o -> o.values().get(term), c.output(s, t.getValue()));
            double[] perSample = c.outputVector(s, PER_SAMPLE_KEYS.get(term));
            for (int i = 0; i < c.n(); i++) {
                int row = i;
                perSample[i] = guardedReference(closedForm, o -> o.perSample().get(term)[row], perSample[i]);
            }
            if (float32 && normalized && term == Term.TCKD) {
                tckdFloat32(m, c, s, require(got.values(), term, c), value, require(got.perSample(), term, c),
                        perSample);
            } else {
                m.value(t.getValue(), require(got.values(), term, c), value);
                m.values(PER_SAMPLE_KEYS.get(term), require(got.perSample(), term, c), perSample);
            }
            double[][] ref = c.gradient(s, t.getValue());
            for (int i = 0; i < c.n(); i++) {
                if (frozen[i]) {
                    ref[i] = new double[c.c()];
                }
            }
            m.gradient("grad." + t.getValue(), require(got.gradients(), term, c), ref, noise);
        }
        if (c.has(s, "outputs", "warmup_factor")) {
            m.value("warmup_factor", got.warmupFactor(), c.output(s, "warmup_factor"));
        }
        if (got.guardedRows() != (guarded ? degenerate : 0)) {
            m.add("guarded rows: got " + got.guardedRows() + ", expected " + (guarded ? degenerate : 0));
        }
        m.throwIfAny();
    }

    /** The reference of a value: the file's, or, where it is not finite under GUARDED, the closed form's. */
    private static double guardedReference(Outcome closedForm, ToDoubleFunction<Outcome> value,
                                           double file) {
        return closedForm == null || Double.isFinite(file) ? file : value.applyAsDouble(closedForm);
    }

    /** TCKD on normalised temperatures in float32: absolute tolerance {@code 1e-5·T_tea²} (README exception). */
    private static void tckdFloat32(Mismatches m, GoldenCase c, String s, double got, double ref, double[] gotRows,
                                    double[] refRows) {
        double[] tTea = c.outputVector(s, "T_tea");
        double meanSquare = Arrays.stream(tTea).map(x -> x * x).average().orElseThrow();
        m.value("tckd", got, ref, 1e-5 * meanSquare);
        for (int i = 0; i < refRows.length; i++) {
            m.value("per_sample_tckd[" + i + "]", gotRows[i], refRows[i], 1e-5 * tTea[i] * tTea[i]);
        }
    }

    private static <X> X require(Map<Term, X> map, Term term, GoldenCase c) {
        X x = map.get(term);
        if (x == null) {
            throw new AssertionError(c.name() + ": the implementation reports no " + term + ", found "
                    + map.keySet());
        }
        return x;
    }

    private static double[][] scale(double[][] a, double w) {
        double[][] out = new double[a.length][];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i].clone();
            for (int j = 0; j < out[i].length; j++) {
                out[i][j] *= w;
            }
        }
        return out;
    }
}
