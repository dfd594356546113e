package org.dtkd4j.core.samediff;

import org.dtkd4j.core.config.DistillationConfig;
import org.dtkd4j.core.dl4j.Matrices;
import org.dtkd4j.core.loss.DistillationLosses;
import org.dtkd4j.core.loss.HazardException;
import org.dtkd4j.core.loss.LossInputs;
import org.dtkd4j.core.loss.TemperatureStats;
import org.dtkd4j.core.loss.Term;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The named variables of one distillation loss in a SameDiff graph. Every output is a graph variable called
 * {@code <name>/<output>}:
 * <table>
 *   <caption>outputs</caption>
 *   <tr><th>output</th><th>shape</th><th>meaning</th></tr>
 *   <tr><td>{@code total}</td><td>scalar</td><td>the loss to minimise</td></tr>
 *   <tr><td>{@code L_dtkd}, {@code L_kd}, {@code L_tckd}, {@code L_nckd}, {@code L_ce}</td><td>scalar</td>
 *       <td>the unweighted terms of the method ({@link Term#outputName()})</td></tr>
 *   <tr><td>{@code per_sample/<term>}, {@code per_sample/total}</td><td>{@code [N]}</td>
 *       <td>per-sample values whose mean is the term</td></tr>
 *   <tr><td>{@code T_stu}, {@code T_tea}</td><td>{@code [N]}</td><td>temperatures used (KD, DKD: {@code T})</td></tr>
 *   <tr><td>{@code student_max}, {@code teacher_max}</td><td>{@code [N]}</td><td>row maxima</td></tr>
 *   <tr><td>{@code guarded}, {@code guarded_rows}</td><td>{@code [N]}, scalar</td>
 *       <td>1 on rows whose hazardous temperatures were replaced by {@code T}; their count</td></tr>
 *   <tr><td>{@code warmup_factor}</td><td>scalar</td><td>the factor of the distillation terms</td></tr>
 *   <tr><td>{@code student_logits}, {@code teacher_logits}, {@code labels}</td><td>inputs</td>
 *       <td>identity copies of the inputs, observed by the input checks</td></tr>
 * </table>
 * Losses without a teacher (cross-entropy only) have no temperature, maxima or teacher outputs.
 *
 * <p>A graph cannot throw, so value checks happen around execution: the builder registers a listener on the graph
 * that validates the input values ({@link IllegalArgumentException} on NaN/Inf logits, out-of-range or non-one-hot
 * labels, mismatched shapes) and enforces {@link org.dtkd4j.core.config.HazardPolicy#STRICT} (a
 * {@link HazardException} naming the row and maxima) whenever SameDiff executes the loss, in {@code output},
 * {@code calculateGradients} and {@code fit}. A STRICT graph otherwise computes like GUARDED. The listener is not
 * saved with the graph and is dropped by {@code SameDiff.setListeners}: add {@link #listener()} back after either;
 * {@link #exec(Map)} and {@link #check(Map)} do the same checks explicitly.
 */
public final class LossVariables {

    /** The loss to minimise. */
    public static final String TOTAL = "total";
    /** Prefix of the per-sample outputs. */
    public static final String PER_SAMPLE = "per_sample/";
    /** Student temperatures. */
    public static final String T_STU = "T_stu";
    /** Teacher temperatures. */
    public static final String T_TEA = "T_tea";
    /** Student row maxima. */
    public static final String STUDENT_MAX = "student_max";
    /** Teacher row maxima. */
    public static final String TEACHER_MAX = "teacher_max";
    /** Per-row guard indicator. */
    public static final String GUARDED = "guarded";
    /** Number of guarded rows. */
    public static final String GUARDED_ROWS = "guarded_rows";
    /** Warmup factor. */
    public static final String WARMUP_FACTOR = "warmup_factor";
    /** Copy of the student logits input. */
    public static final String STUDENT_LOGITS = "student_logits";
    /** Copy of the teacher logits input. */
    public static final String TEACHER_LOGITS = "teacher_logits";
    /** Copy of the labels input. */
    public static final String LABELS = "labels";

    private final SameDiff sd;
    private final String name;
    private final DistillationConfig config;
    private final boolean integerLabels;
    private final Map<String, SDVariable> outputs;
    private final InputCheckListener listener;

    LossVariables(SameDiff sd, String name, DistillationConfig config, boolean integerLabels,
                  Map<String, SDVariable> outputs) {
        this.sd = sd;
        this.name = name;
        this.config = config;
        this.integerLabels = integerLabels;
        this.outputs = Collections.unmodifiableMap(new LinkedHashMap<>(outputs));
        this.listener = new InputCheckListener(this);
    }

    /** @return the loss's name, the prefix of its variables */
    public String name() {
        return name;
    }

    /** @return the configuration the graph computes */
    public DistillationConfig config() {
        return config;
    }

    /** @return the graph */
    public SameDiff sameDiff() {
        return sd;
    }

    /** @return the loss to minimise, {@code <name>/total} */
    public SDVariable total() {
        return get(TOTAL);
    }

    /**
     * @param term a term of this loss
     * @return its batch mean, {@code <name>/<term.outputName()>}
     */
    public SDVariable term(Term term) {
        return get(term.outputName());
    }

    /**
     * @param output an output name, e.g. {@code "T_stu"} or {@code "per_sample/L_kd"}
     * @return its variable
     * @throws IllegalArgumentException if this loss has no such output
     */
    public SDVariable get(String output) {
        SDVariable v = outputs.get(output);
        if (v == null) {
            throw new IllegalArgumentException("loss \"" + name + "\" has no output \"" + output + "\", found "
                    + outputs.keySet());
        }
        return v;
    }

    /** @return the output names, in creation order */
    public Set<String> outputNames() {
        return outputs.keySet();
    }

    /** @return the listener that checks inputs and STRICT during execution (already registered on the graph) */
    public InputCheckListener listener() {
        return listener;
    }

    /**
     * Executes the graph for every output of this loss, after checking the inputs and the hazard policy like the
     * closed form does.
     *
     * @param placeholders placeholder values of the graph
     * @return every output by its short name ({@link #outputNames()})
     * @throws IllegalArgumentException on invalid input values
     * @throws HazardException          under STRICT, on the first hazardous row
     */
    public Map<String, INDArray> exec(Map<String, INDArray> placeholders) {
        List<String> names = new ArrayList<>();
        for (SDVariable v : outputs.values()) {
            names.add(v.name());
        }
        Map<String, INDArray> values = sd.output(placeholders, names);
        check(values);
        Map<String, INDArray> out = new LinkedHashMap<>();
        outputs.forEach((k, v) -> out.put(k, values.get(v.name())));
        return out;
    }

    /**
     * Checks executed values like the closed form: input values (NaN/Inf, shapes, labels) and, under STRICT,
     * hazardous rows.
     *
     * @param values values by full variable name, holding at least {@code <name>/student_logits},
     *               {@code <name>/labels} and (with a teacher) {@code <name>/teacher_logits}
     */
    public void check(Map<String, INDArray> values) {
        INDArray s = require(values, STUDENT_LOGITS);
        INDArray y = require(values, LABELS);
        INDArray t = outputs.containsKey(TEACHER_LOGITS) ? require(values, TEACHER_LOGITS) : null;
        check(s, t, y);
    }

    void check(INDArray student, INDArray teacher, INDArray labels) {
        double[][] s = matrix("student logits", student);
        int[] targets;
        if (integerLabels) {
            if (labels.rank() != 1 || labels.length() != s.length) {
                throw new IllegalArgumentException("labels must be [N] = [" + s.length + "] class indices, found "
                        + Arrays.toString(labels.shape()));
            }
            targets = LossInputs.targetsFromIndices(labels.toLongVector(), s[0].length);
        } else {
            double[][] oneHot = matrix("labels", labels);
            if (oneHot.length != s.length || oneHot[0].length != s[0].length) {
                throw new IllegalArgumentException("labels shape " + Arrays.toString(labels.shape())
                        + " does not match student logits shape " + Arrays.toString(student.shape()));
            }
            targets = LossInputs.targetsFromOneHot(oneHot);
        }
        DistillationLosses.check(config, s, teacher == null ? null : matrix("teacher logits", teacher), targets);
    }

    /**
     * @param values values by full variable name, holding {@code <name>/T_stu}, {@code <name>/T_tea} and
     *               {@code <name>/guarded_rows}
     * @return the temperature statistics of that execution ({@link TemperatureStats#EMPTY} without teacher)
     */
    public TemperatureStats temperatureStats(Map<String, INDArray> values) {
        if (!outputs.containsKey(T_STU)) {
            return TemperatureStats.EMPTY;
        }
        return TemperatureStats.of(require(values, T_STU).castTo(DataType.DOUBLE).toDoubleVector(),
                require(values, T_TEA).castTo(DataType.DOUBLE).toDoubleVector(),
                Math.round(require(values, GUARDED_ROWS).getDouble(0)));
    }

    private INDArray require(Map<String, INDArray> values, String output) {
        INDArray v = values.get(get(output).name());
        if (v == null) {
            throw new IllegalArgumentException("values must hold \"" + get(output).name() + "\", found "
                    + values.keySet());
        }
        return v;
    }

    private static double[][] matrix(String what, INDArray x) {
        if (x.rank() != 2) {
            throw new IllegalArgumentException(what + " must be [N, C], found shape "
                    + Arrays.toString(x.shape()));
        }
        return Matrices.toRows(x);
    }

    @Override
    public String toString() {
        return "LossVariables(" + name + ", " + config + ", outputs=" + outputs.keySet() + ")";
    }
}
