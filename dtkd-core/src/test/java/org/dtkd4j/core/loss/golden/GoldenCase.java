package org.dtkd4j.core.loss.golden;

import com.fasterxml.jackson.databind.JsonNode;
import org.dtkd4j.core.config.CeConfig;
import org.dtkd4j.core.config.DistillationConfig;
import org.dtkd4j.core.config.DkdConfig;
import org.dtkd4j.core.config.DtkdConfig;
import org.dtkd4j.core.config.HazardPolicy;
import org.dtkd4j.core.config.KdConfig;
import org.dtkd4j.core.config.Method;

/**
 * One case of {@code losses.json}: inputs, the parameters of each method and typed access to the recorded outputs.
 * Every accessor fails with an {@link IllegalStateException} naming the case and key when the file does not hold
 * what the schema promises, so a case that cannot be evaluated fails its test.
 */
public final class GoldenCase {

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
