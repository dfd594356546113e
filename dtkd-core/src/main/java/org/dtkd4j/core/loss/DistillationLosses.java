package org.dtkd4j.core.loss;

import org.dtkd4j.core.config.CeConfig;
import org.dtkd4j.core.config.DistillationConfig;
import org.dtkd4j.core.config.DkdConfig;
import org.dtkd4j.core.config.DtkdConfig;
import org.dtkd4j.core.config.DtkdDkdConfig;
import org.dtkd4j.core.config.HazardPolicy;
import org.dtkd4j.core.config.KdConfig;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The closed-form losses in plain double arithmetic: one entry point for every {@link DistillationConfig}, giving
 * the loss, its terms, per-sample values, temperatures and the gradient with respect to the student logits.
 *
 * <p>The formulas are those of each config's javadoc, with the details of the official PyTorch code
 * (JinYu1998/DTKD, mdistiller) that change the numbers: temperatures evaluated as {@code 2*ms}, {@code /(mt+ms)},
 * {@code *T}; the gradient of a row maximum goes to its first arg-max; KL uses {@code 0·log 0 = 0}; DKD suppresses
 * the target class by subtracting exactly 1000; the warmup factor multiplies only the distillation terms.
 * {@link HazardPolicy} decides what happens on degenerate rows.
 *
 * <p>References: Hinton, Vinyals &amp; Dean 2015, "Distilling the Knowledge in a Neural Network"; Zhao et al. 2022,
 * "Decoupled Knowledge Distillation"; Wei &amp; Bai 2024, "Dynamic Temperature Knowledge Distillation",
 * arXiv:2404.12711.
 */
public final class DistillationLosses {

    private DistillationLosses() {
    }

    /**
     * Evaluates a loss on one batch.
     *
     * @param config  the loss and its hyper-parameters
     * @param student student logits {@code [N][C]}, finite, {@code C >= 2}
     * @param teacher teacher logits {@code [N][C]}, finite; ignored (may be {@code null}) for {@link CeConfig}
     * @param targets target classes {@code [N]}, each in {@code [0, C)}
     * @param epoch   reference epoch ({@code >= 0}, 1 for the first training epoch) for the warmup factor
     * @return the loss, its terms and gradients
     * @throws IllegalArgumentException on invalid inputs, naming the input and what was found
     * @throws HazardException          under {@link HazardPolicy#STRICT}, on the first hazardous row; under any
     *                                  policy but OFFICIAL, on a row whose result is not finite (logits beyond the
     *                                  double range after division by the temperature)
     */
    public static LossResult evaluate(DistillationConfig config, double[][] student, double[][] teacher,
                                      int[] targets, int epoch) {
        if (config == null) {
            throw new IllegalArgumentException("config must not be null, found null");
        }
        LossInputs.validate(config.method(), student, teacher, targets);
        double warmup = config.warmupFactor(epoch);
        LossResult result = switch (config.method()) {
            case NONE -> crossEntropyOnly((CeConfig) config, student, targets);
            case KD -> kd((KdConfig) config, student, teacher, targets);
            case DTKD -> dtkd((DtkdConfig) config, student, teacher, targets, warmup);
            case DKD -> {
                DkdConfig c = (DkdConfig) config;
                yield dkd(c.alpha(), c.beta(), c.ceWeight(), c.hazardPolicy(),
                        Temperatures.fixed(student, teacher, c.temperature()), student, teacher, targets, warmup,
                        config);
            }
            case DTKD_DKD -> {
                DtkdDkdConfig c = (DtkdDkdConfig) config;
                Temperatures temps = Temperatures.dynamic(student, teacher, c.temperature(), c.hazardPolicy(),
                        c.detachTemperatures());
                yield dkd(c.alpha(), c.beta(), c.ceWeight(), c.hazardPolicy(), temps, student, teacher, targets,
                        warmup, config);
            }
        };
        if (config.hazardPolicy() != HazardPolicy.OFFICIAL) {
            requireFinite(result);
        }
        return result;
    }

    /**
     * The last line of "never a silent NaN": with finite inputs and valid temperatures every value is finite unless
     * the logits divided by a (valid but tiny) temperature exceed the double range.
     */
    private static void requireFinite(LossResult r) {
        for (int i = 0; i < r.perSampleTotal().length; i++) {
            boolean finite = Double.isFinite(r.perSampleTotal()[i]);
            for (double g : r.gradient()[i]) {
                finite &= Double.isFinite(g);
            }
            if (!finite) {
                throw new HazardException(i, "row " + i + ": the loss or its gradient is not finite (per-sample loss "
                        + r.perSampleTotal()[i] + (r.studentTemperatures().length > 0 ? ", T_stu="
                        + r.studentTemperatures()[i] + ", T_tea=" + r.teacherTemperatures()[i] : "")
                        + "): the logits divided by the temperature exceed the double range");
            }
        }
    }

    /**
     * Validates a batch and applies {@link HazardPolicy#STRICT} without computing the loss: what an implementation
     * that computes elsewhere (e.g. a SameDiff graph) must check to behave like {@link #evaluate}.
     *
     * @param config  the loss and its hyper-parameters
     * @param student student logits {@code [N][C]}
     * @param teacher teacher logits {@code [N][C]} (ignored for {@link CeConfig})
     * @param targets target classes {@code [N]}
     * @throws IllegalArgumentException on invalid inputs, naming the input and what was found
     * @throws HazardException          under STRICT, on the first row {@link #evaluate} would reject
     */
    public static void check(DistillationConfig config, double[][] student, double[][] teacher, int[] targets) {
        if (config == null) {
            throw new IllegalArgumentException("config must not be null, found null");
        }
        LossInputs.validate(config.method(), student, teacher, targets);
        if (config instanceof DtkdConfig c && c.hazardPolicy() == HazardPolicy.STRICT) {
            Temperatures.dynamic(student, teacher, c.temperature(), HazardPolicy.STRICT, c.detachTemperatures());
        } else if (config instanceof DkdConfig c && c.hazardPolicy() == HazardPolicy.STRICT) {
            TermEvaluator.rejectUnderflow(Temperatures.fixed(student, teacher, c.temperature()), student, targets);
        } else if (config instanceof DtkdDkdConfig c && c.hazardPolicy() == HazardPolicy.STRICT) {
            TermEvaluator.rejectUnderflow(Temperatures.dynamic(student, teacher, c.temperature(), HazardPolicy.STRICT,
                    c.detachTemperatures()), student, targets);
        }
    }

    private static LossResult crossEntropyOnly(CeConfig config, double[][] s, int[] targets) {
        TermResult ce = TermEvaluator.crossEntropy(s, targets);
        return combine(config, config.ceWeight() * ce.value(), 1.0, null, new double[]{config.ceWeight()}, ce);
    }

    private static LossResult kd(KdConfig config, double[][] s, double[][] t, int[] targets) {
        Temperatures temps = Temperatures.fixed(s, t, config.temperature());
        TermResult kd = TermEvaluator.tempered(Term.KD, Divergence.FULL, s, t, targets, temps,
                HazardPolicy.GUARDED);
        TermResult ce = TermEvaluator.crossEntropy(s, targets);
        double total = config.ceWeight() * ce.value() + config.kdWeight() * kd.value();
        return combine(config, total, 1.0, temps, new double[]{config.kdWeight(), config.ceWeight()}, kd, ce);
    }

    private static LossResult dtkd(DtkdConfig config, double[][] s, double[][] t, int[] targets, double warmup) {
        Temperatures fixed = Temperatures.fixed(s, t, config.temperature());
        Temperatures dynamic = Temperatures.dynamic(s, t, config.temperature(), config.hazardPolicy(),
                config.detachTemperatures());
        TermResult dtkd = TermEvaluator.tempered(Term.DTKD, Divergence.FULL, s, t, targets, dynamic,
                config.hazardPolicy());
        TermResult kd = TermEvaluator.tempered(Term.KD, Divergence.FULL, s, t, targets, fixed,
                config.hazardPolicy());
        TermResult ce = TermEvaluator.crossEntropy(s, targets);
        double total = warmup * (config.alpha() * dtkd.value() + config.beta() * kd.value())
                + config.ceWeight() * ce.value();
        return combine(config, total, warmup, dynamic,
                new double[]{warmup * config.alpha(), warmup * config.beta(), config.ceWeight()}, dtkd, kd, ce);
    }

    private static LossResult dkd(double alpha, double beta, double ceWeight, HazardPolicy policy,
                                  Temperatures temps, double[][] s, double[][] t, int[] targets, double warmup,
                                  DistillationConfig config) {
        TermResult tckd = TermEvaluator.tempered(Term.TCKD, Divergence.TARGET, s, t, targets, temps, policy);
        TermResult nckd = TermEvaluator.tempered(Term.NCKD, Divergence.NON_TARGET, s, t, targets, temps, policy);
        TermResult ce = TermEvaluator.crossEntropy(s, targets);
        double total = ceWeight * ce.value() + warmup * (alpha * tckd.value() + beta * nckd.value());
        return combine(config, total, warmup, temps, new double[]{warmup * alpha, warmup * beta, ceWeight},
                tckd, nckd, ce);
    }

    /**
     * Assembles a result whose per-sample values and gradient are {@code Σ_k weights[k] · term_k}. The warmup
     * factor is folded into the distillation weights, so a NaN term still reaches the total at warmup 0, as in the
     * reference ({@code 0·NaN = NaN}). {@code temps} is {@code null} for a loss without teacher.
     */
    private static LossResult combine(DistillationConfig config, double total, double warmup, Temperatures temps,
                                      double[] weights, TermResult... terms) {
        int n = terms[0].perSample().length;
        int c = terms[0].gradient()[0].length;
        double[] perSample = new double[n];
        double[][] grad = new double[n][c];
        Map<Term, TermResult> byTerm = new LinkedHashMap<>();
        for (int k = 0; k < terms.length; k++) {
            TermResult term = terms[k];
            byTerm.put(term.term(), term);
            for (int i = 0; i < n; i++) {
                perSample[i] += weights[k] * term.perSample()[i];
                for (int j = 0; j < c; j++) {
                    grad[i][j] += weights[k] * term.gradient()[i][j];
                }
            }
        }
        if (temps == null) {
            double[] none = new double[0];
            return new LossResult(config.method(), total, perSample, grad, byTerm, warmup, none, none, none, none,
                    new boolean[n], TemperatureStats.EMPTY);
        }
        return new LossResult(config.method(), total, perSample, grad, byTerm, warmup, temps.studentMax,
                temps.teacherMax, temps.student, temps.teacher, temps.guarded,
                TemperatureStats.of(temps.student, temps.teacher, temps.guardedRows));
    }
}
