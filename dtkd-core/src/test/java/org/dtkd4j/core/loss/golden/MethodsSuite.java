package org.dtkd4j.core.loss.golden;

import com.fasterxml.jackson.databind.JsonNode;
import org.dtkd4j.core.config.ConfigKey;
import org.dtkd4j.core.config.ConfigValues;
import org.dtkd4j.core.config.DistillationConfig;
import org.dtkd4j.core.config.HazardPolicy;
import org.dtkd4j.core.config.Method;
import org.dtkd4j.core.loss.HazardException;
import org.dtkd4j.core.loss.Term;
import org.junit.jupiter.api.DynamicTest;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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
 * STRICT must throw a {@link HazardException} naming the first such row; GUARDED must give the file's values and,
 * in rows whose student logits are constant, the cross-entropy's gradient alone (the distillation terms there have
 * zero gradient), counting the degenerate rows as guarded.
 */
public final class MethodsSuite {

    /** The files of {@code methods/} whose methods are implemented. */
    public static final List<String> FILES = List.of("methods/ls_kd.json");

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
        Precision p = c.hazard() && c.n() == 1
                ? new Precision(precision.valueRtol(), precision.valueAtol(), 1e-8, precision.gradAtol())
                : precision;
        Mismatches m = new Mismatches(c.name() + " " + b.method() + " " + policy, p, false, false);
        String s = b.name();
        boolean guarded = policy == HazardPolicy.GUARDED;
        double[][] ceGrad = scale(c.gradient(s, "loss_ce"), 1.0);
        m.value("loss_total", got.total(), c.output(s, "loss_total"));
        double[][] total = c.gradient(s, "loss_total");
        for (int i = 0; i < c.n(); i++) {
            if (guarded && constant[0][i]) {
                total[i] = ceGrad[i];
            }
        }
        m.gradient("grad.loss_total", got.gradient(), total, new boolean[c.n()][c.c()]);
        double ceWeight = config.ceWeight();
        m.value("loss_ce", ceWeight * require(got.values(), Term.CE, c), c.output(s, "loss_ce"));
        m.gradient("grad.loss_ce", scale(require(got.gradients(), Term.CE, c), ceWeight), ceGrad,
                new boolean[c.n()][c.c()]);
        for (Map.Entry<Term, String> t : TERM_KEYS.entrySet()) {
            if (!c.has(s, "outputs", t.getValue())) {
                continue;
            }
            Term term = t.getKey();
            m.value(t.getValue(), require(got.values(), term, c), c.output(s, t.getValue()));
            m.values(PER_SAMPLE_KEYS.get(term), require(got.perSample(), term, c),
                    c.outputVector(s, PER_SAMPLE_KEYS.get(term)));
            double[][] ref = c.gradient(s, t.getValue());
            for (int i = 0; i < c.n(); i++) {
                if (guarded && constant[0][i]) {
                    ref[i] = new double[c.c()];
                }
            }
            m.gradient("grad." + t.getValue(), require(got.gradients(), term, c), ref, new boolean[c.n()][c.c()]);
        }
        if (c.has(s, "outputs", "warmup_factor")) {
            m.value("warmup_factor", got.warmupFactor(), c.output(s, "warmup_factor"));
        }
        if (got.guardedRows() != (guarded ? degenerate : 0)) {
            m.add("guarded rows: got " + got.guardedRows() + ", expected " + (guarded ? degenerate : 0));
        }
        m.throwIfAny();
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
