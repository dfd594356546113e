package org.dtkd4j.core.loss;

import org.dtkd4j.core.config.DistillationConfig;
import org.dtkd4j.core.config.HazardPolicy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The closed-form {@link LossBuilder}: evaluates each term in double precision with its gradient (see
 * {@link TermEvaluator}) and assembles the {@link LossResult}.
 */
final class ClosedForm implements LossBuilder<Temperatures, TermResult> {

    private final DistillationConfig config;
    /** The logits the distillation terms see (standardised ones in a {@link #standardized} view). */
    private final double[][] s;
    private final double[][] t;
    /** The raw student logits, for the cross-entropy. */
    private final double[][] raw;
    private final int[] targets;
    private final double warmup;
    /** The standardisation of this view, {@code null} on raw logits. */
    private final Standardization standardization;
    /** How rows are split across threads. */
    private final RowTasks tasks;
    /** The builder that holds the result (this one, or the one a view was made from). */
    private final ClosedForm root;
    private LossResult result;

    ClosedForm(DistillationConfig config, double[][] s, double[][] t, int[] targets, double warmup, RowTasks tasks) {
        this(config, s, t, s, targets, warmup, tasks, null, null);
    }

    private ClosedForm(DistillationConfig config, double[][] s, double[][] t, double[][] raw, int[] targets,
                       double warmup, RowTasks tasks, Standardization standardization, ClosedForm root) {
        this.config = config;
        this.s = s;
        this.t = t;
        this.raw = raw;
        this.targets = targets;
        this.warmup = warmup;
        this.tasks = tasks;
        this.standardization = standardization;
        this.root = root == null ? this : root;
    }

    @Override
    public Temperatures fixed(double temperature) {
        return guard(Temperatures.fixed(s, t, temperature, tasks));
    }

    @Override
    public Temperatures dynamic(double temperature, HazardPolicy policy, boolean detach) {
        return guard(Temperatures.dynamic(s, t, temperature, policy, detach, tasks));
    }

    @Override
    public Temperatures normalized(double temperatureNorm, HazardPolicy policy) {
        return guard(Temperatures.normalized(s, t, temperatureNorm, policy, tasks));
    }

    private Temperatures guard(Temperatures temps) {
        return standardization == null ? temps : temps.withGuarded(standardization.guarded);
    }

    @Override
    public TermResult term(Term term, Divergence divergence, Temperatures temperatures, HazardPolicy policy) {
        return terms(new Term[]{term}, new Divergence[]{divergence}, temperatures, policy)[0];
    }

    /** DKD's two terms in one pass over the rows (the non-target softmax reuses the target term's exponentials). */
    @Override
    public void decoupled(Temperatures temperatures, double alpha, double beta, double ceWeight,
                          HazardPolicy policy) {
        TermResult[] both = terms(new Term[]{Term.TCKD, Term.NCKD},
                new Divergence[]{Divergence.TARGET, Divergence.NON_TARGET}, temperatures, policy);
        total(temperatures, ceWeight, crossEntropy(), List.of(both), alpha, beta);
    }

    private TermResult[] terms(Term[] names, Divergence[] divergences, Temperatures temperatures,
                               HazardPolicy policy) {
        TermResult[] r = TermEvaluator.tempered(names, divergences, s, t, targets, temperatures, policy, tasks);
        if (standardization != null) {
            for (int k = 0; k < r.length; k++) {
                r[k] = new TermResult(r[k].term(), r[k].value(), r[k].perSample(),
                        standardization.backward(r[k].gradient(), tasks));
            }
        }
        return r;
    }

    @Override
    public TermResult crossEntropy() {
        return TermEvaluator.crossEntropy(raw, targets, tasks);
    }

    @Override
    public ClosedForm standardized(HazardPolicy policy) {
        if (standardization != null) {
            throw new IllegalStateException(config + " standardises its logits twice");
        }
        Standardization z = Standardization.of(s, t, policy, tasks);
        return new ClosedForm(config, z.student, z.teacher, raw, targets, warmup, tasks, z, root);
    }

    @Override
    public void total(Temperatures temperatures, double ceWeight, TermResult crossEntropy, List<TermResult> terms,
                      double... weights) {
        if (weights.length != terms.size()) {
            throw new IllegalArgumentException(terms.size() + " terms need as many weights, found " + weights.length);
        }
        double distill = 0;
        double[] combined = new double[terms.size() + 1];
        TermResult[] all = new TermResult[terms.size() + 1];
        for (int k = 0; k < terms.size(); k++) {
            distill += weights[k] * terms.get(k).value();
            combined[k] = warmup * weights[k];
            all[k] = terms.get(k);
        }
        combined[terms.size()] = ceWeight;
        all[terms.size()] = crossEntropy;
        double ce = ceWeight * crossEntropy.value();
        double total = terms.isEmpty() ? ce : warmup * distill + ce;
        root.result = combine(total, temperatures, combined, all);
    }

    /** @return the result of the loss built on this builder */
    LossResult result() {
        if (result == null) {
            throw new IllegalStateException(config + " built no total");
        }
        return result;
    }

    /**
     * Assembles a result whose per-sample values and gradient are {@code Σ_k weights[k] · term_k}. The warmup
     * factor is folded into the distillation weights, so a NaN term still reaches the total at warmup 0, as in the
     * reference ({@code 0·NaN = NaN}). {@code temps} is {@code null} for a loss without teacher.
     */
    private LossResult combine(double total, Temperatures temps, double[] weights, TermResult... terms) {
        int n = terms[0].perSample().length;
        int c = terms[0].gradient()[0].length;
        double[] perSample = new double[n];
        double[][] grad = new double[n][];
        Map<Term, TermResult> byTerm = new LinkedHashMap<>();
        for (TermResult term : terms) {
            byTerm.put(term.term(), term);
        }
        tasks.run(n, (from, to) -> {
            for (int i = from; i < to; i++) {
                grad[i] = new double[c];
                for (int k = 0; k < terms.length; k++) {
                    perSample[i] += weights[k] * terms[k].perSample()[i];
                    double[] g = terms[k].gradient()[i];
                    for (int j = 0; j < c; j++) {
                        grad[i][j] += weights[k] * g[j];
                    }
                }
            }
        });
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
