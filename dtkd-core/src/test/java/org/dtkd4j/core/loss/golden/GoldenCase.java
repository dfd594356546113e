package org.dtkd4j.core.loss.golden;

import com.fasterxml.jackson.databind.JsonNode;
import org.dtkd4j.core.config.CeConfig;
import org.dtkd4j.core.config.DistillationConfig;
import org.dtkd4j.core.config.DkdConfig;
import org.dtkd4j.core.config.DtkdConfig;
import org.dtkd4j.core.config.HazardPolicy;
import org.dtkd4j.core.config.KdConfig;
import org.dtkd4j.core.config.Method;

import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * One case of {@code losses.json}: inputs, the parameters of each method and typed access to the recorded outputs.
 * Every accessor fails with an {@link IllegalStateException} naming the case and key when the file does not hold
 * what the schema promises, so a case that cannot be evaluated fails its test.
 */
public final class GoldenCase {

    /** Condition number of the temperatures above which a row counts as ill-conditioned. */
    public static final double ILL_CONDITIONED = 1e3;

    private final JsonNode node;
    private final String name;

    GoldenCase(JsonNode node) {
        this.node = node;
        this.name = node.path("name").asText("<unnamed>");
    }

    public String name() {
        return name;
    }

    public boolean hazard() {
        return require("hazard").asBoolean();
    }

    public int n() {
        return require("N").asInt();
    }

    public int c() {
        return require("C").asInt();
    }

    public double[][] student() {
        return matrix("student_logits");
    }

    public double[][] teacher() {
        return matrix("teacher_logits");
    }

    public int[] targets() {
        JsonNode t = require("targets");
        int[] out = new int[t.size()];
        for (int i = 0; i < out.length; i++) {
            if (!t.get(i).isIntegralNumber()) {
                throw new IllegalStateException(name + ": targets[" + i + "] is not an integer: " + t.get(i));
            }
            out[i] = t.get(i).asInt();
        }
        return out;
    }

    /** @return per row, the student's largest logit {@code ms}, computed from the inputs */
    public double[] studentMax() {
        return rowMax(student());
    }

    /** @return per row, the teacher's largest logit {@code mt}, computed from the inputs */
    public double[] teacherMax() {
        return rowMax(teacher());
    }

    /**
     * @return whether some student row holds its maximum more than once (ties at the maximum, all-equal and
     *         all-zero rows): the maximum, and so DTKD, is not differentiable there
     */
    public boolean studentTiesAtMax() {
        double[][] s = student();
        double[] ms = rowMax(s);
        return IntStream.range(0, s.length).anyMatch(i -> Arrays.stream(s[i]).filter(v -> v == ms[i]).count() > 1);
    }

    /**
     * @return whether some row has {@code ms + mt = 0} with {@code ms ≠ 0}: DTKD temperatures of ±∞, where which
     *         non-finite value the reference produces depends on rounding (the golden README)
     */
    public boolean infiniteTemperatures() {
        double[] ms = studentMax();
        double[] mt = teacherMax();
        for (int i = 0; i < ms.length; i++) {
            if (ms[i] + mt[i] == 0 && ms[i] != 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * @return whether some row's DTKD temperatures are ill-conditioned: {@code ms + mt ≠ 0} but
     *         {@code (|ms| + |mt|) / |ms + mt|} above {@value #ILL_CONDITIONED}, which amplifies every rounding
     *         error of the reference by as much (the golden README expects about 1e-3 agreement there)
     */
    public boolean illConditionedTemperatures() {
        return illConditionedRows().length > 0;
    }

    /** @return the rows of {@link #illConditionedTemperatures()} */
    public int[] illConditionedRows() {
        double[] ms = studentMax();
        double[] mt = teacherMax();
        return IntStream.range(0, ms.length)
                .filter(i -> ms[i] + mt[i] != 0 && Math.abs(ms[i]) + Math.abs(mt[i]) > ILL_CONDITIONED
                        * Math.abs(ms[i] + mt[i]))
                .toArray();
    }

    private static double[] rowMax(double[][] m) {
        return Arrays.stream(m).mapToDouble(r -> Arrays.stream(r).max().orElseThrow()).toArray();
    }

    /** @return the DTKD (or, for the section "dkd", DKD) epoch of this case */
    public int epoch(String section) {
        return intParam(section, "epoch");
    }

    /**
     * @param method NONE, KD, DKD or DTKD (the methods of losses.json)
     * @param policy hazard policy for the methods that have one
     * @return the configuration the reference used for this case
     */
    public DistillationConfig config(Method method, HazardPolicy policy) {
        return switch (method) {
            case NONE -> CeConfig.defaults();
            case KD -> new KdConfig(param("kd", "T"), param("kd", "ce_weight"), param("kd", "kd_weight"));
            case DKD -> new DkdConfig(param("dkd", "alpha"), param("dkd", "beta"), param("dkd", "T"),
                    param("dkd", "ce_weight"), intParam("dkd", "warmup"), policy);
            case DTKD -> new DtkdConfig(param("dtkd", "alpha"), param("dtkd", "beta"), param("dtkd", "T"),
                    param("dtkd", "ce_weight"), intParam("dtkd", "warmup"), false, policy);
            default -> throw new IllegalStateException(name + ": losses.json has no " + method + " loss");
        };
    }

    /** @return the epoch the reference used for {@code method} (DKD has its own; KD and NONE ignore it) */
    public int epoch(Method method) {
        return method == Method.DKD ? epoch("dkd") : epoch("dtkd");
    }

    public double param(String section, String key) {
        return GoldenLosses.number(require(section, "params", key), name + ": " + section + ".params." + key);
    }

    public int intParam(String section, String key) {
        JsonNode v = require(section, "params", key);
        if (!v.isIntegralNumber()) {
            throw new IllegalStateException(name + ": " + section + ".params." + key + " is not an integer: " + v);
        }
        return v.asInt();
    }

    public double output(String section, String key) {
        return GoldenLosses.number(require(section, "outputs", key), name + ": " + section + ".outputs." + key);
    }

    public double[] outputVector(String section, String key) {
        return vector(require(section, "outputs", key), section + ".outputs." + key);
    }

    public double[][] gradient(String section, String key) {
        return matrix(require(section, "outputs", "grad", key), section + ".outputs.grad." + key);
    }

    private double[][] matrix(String key) {
        return matrix(require(key), key);
    }

    private double[][] matrix(JsonNode m, String what) {
        if (!m.isArray() || m.size() != n()) {
            throw new IllegalStateException(name + ": " + what + " is not an [N][C] array: " + m);
        }
        double[][] out = new double[m.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = vector(m.get(i), what + "[" + i + "]");
            if (out[i].length != c()) {
                throw new IllegalStateException(name + ": " + what + "[" + i + "] has " + out[i].length
                        + " entries, expected C = " + c());
            }
        }
        return out;
    }

    private double[] vector(JsonNode v, String what) {
        if (!v.isArray()) {
            throw new IllegalStateException(name + ": " + what + " is not an array: " + v);
        }
        double[] out = new double[v.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = GoldenLosses.number(v.get(i), name + ": " + what + "[" + i + "]");
        }
        return out;
    }

    /** @return whether the case holds a value at this path of keys */
    public boolean has(String... path) {
        JsonNode cur = node;
        for (String p : path) {
            cur = cur.path(p);
        }
        return !cur.isMissingNode() && !cur.isNull();
    }

    private JsonNode require(String... path) {
        JsonNode cur = node;
        for (String p : path) {
            cur = cur.path(p);
            if (cur.isMissingNode() || cur.isNull()) {
                throw new IllegalStateException(name + ": missing key " + String.join(".", path));
            }
        }
        return cur;
    }

    @Override
    public String toString() {
        return name;
    }
}
