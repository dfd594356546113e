package org.dtkd4j.core.loss;

import org.dtkd4j.core.config.HazardPolicy;

import java.util.List;

/**
 * The vocabulary a loss is written in, once, for every way of computing it: each
 * {@link org.dtkd4j.core.config.DistillationConfig} describes its loss as calls on a builder
 * ({@link org.dtkd4j.core.config.DistillationConfig#build}), and the closed form ({@link DistillationLosses}, plain
 * double arithmetic with closed-form gradients) and the SameDiff graph ({@code org.dtkd4j.core.samediff}, autodiff)
 * each implement the builder. A method therefore cannot compute one thing in closed form and another in a graph.
 *
 * <p>A loss is a weighted sum of terms: {@code total = warmup · Σ_k w_k · L_k + ceWeight · L_ce}, where each
 * distillation term {@code L_k = mean_n(T_stu·T_tea · f(s_n/T_stu, t_n/T_tea))} is a {@link Divergence} {@code f}
 * of the tempered logits, scaled by the product of the temperatures (by {@code T_tea²} on {@link #normalized}
 * temperatures), and the warmup factor is the config's
 * {@link org.dtkd4j.core.config.DistillationConfig#warmupFactor(int)}.
 *
 * @param <T> the builder's handle of a set of per-row temperatures
 * @param <V> the builder's handle of a term (its per-sample values)
 */
public interface LossBuilder<T, V> {

    /**
     * @param temperature the temperature {@code T}, {@code > 0}
     * @return {@code T} on every row (KD, DKD)
     */
    T fixed(double temperature);

    /**
     * DTKD's per-sample temperatures {@code T_stu = 2·ms/(mt+ms)·T}, {@code T_tea = 2·mt/(mt+ms)·T} from the row
     * maxima, with the hazard policy applied to rows where either is non-finite or {@code ≤ 0}.
     *
     * @param temperature the reference temperature {@code T}
     * @param policy      what to do with hazardous rows
     * @param detach      treat the temperatures as constants in the gradient
     * @return the temperatures
     */
    T dynamic(double temperature, HazardPolicy policy, boolean detach);

    /**
     * NormKD's per-sample temperatures (Chi et al. 2023, "NormKD: Normalized Logits for Knowledge Distillation"):
     * {@code T_stu = T_norm·std(s)}, {@code T_tea = T_norm·std(t)} with the unbiased std of the raw row (no epsilon)
     * and the gradient through {@code std(s)}; terms on these temperatures are scaled by {@code T_tea²} instead of
     * {@code T_stu·T_tea}. A row whose student or teacher logits are all equal ({@code std = 0}, {@code T = 0})
     * follows the policy: OFFICIAL keeps {@code T = 0} and its NaN; STRICT throws naming the row; GUARDED gives the
     * constant side the temperature {@code T_norm} (a constant row's softmax is uniform at any temperature) with the
     * scale {@code T_tea²} of the raw teacher std, so the row's term is {@code T_tea²·KL(p ‖ uniform)} for a constant
     * student and 0 for a constant teacher, without distillation gradient, and counts it as guarded.
     *
     * @param temperatureNorm the factor {@code T_norm}, {@code > 0}
     * @param policy          what to do with constant rows
     * @return the temperatures
     */
    T normalized(double temperatureNorm, HazardPolicy policy);

    /**
     * @param term         the term's name
     * @param divergence   its divergence
     * @param temperatures its temperatures
     * @param policy       {@link HazardPolicy#OFFICIAL} selects the reference arithmetic, {@link HazardPolicy#STRICT}
     *                     rejects rows whose DKD target-class KL would take {@code log 0}
     * @return the term {@code mean_n(T_stu·T_tea · f(s_n/T_stu, t_n/T_tea))} ({@code T_tea²} for normalised
     *         temperatures)
     */
    V term(Term term, Divergence divergence, T temperatures, HazardPolicy policy);

    /**
     * Logit standardisation (Sun et al. 2024, "Logit Standardization in Knowledge Distillation", CVPR): a view of
     * this builder whose temperatures and terms see, per row, {@code z̃ = (z − mean(z)) / (1e-7 + std(z))} (unbiased
     * std) of the student and the teacher logits, with gradients through the mean and the std; the cross-entropy
     * still sees the raw student logits, and the total is this builder's. A row whose student or teacher logits are
     * all equal ({@code std = 0}) follows the policy: GUARDED gives it {@code z̃ = 0} with zero gradient and counts
     * it as guarded, OFFICIAL keeps the official gradient (of order {@code 1e7}), STRICT throws.
     *
     * @param policy what to do with constant rows
     * @return the view
     */
    LossBuilder<T, V> standardized(HazardPolicy policy);

    /** @return the mean cross-entropy of the (raw) student logits against the hard labels */
    V crossEntropy();

    /**
     * Completes the loss: {@code total = warmup · Σ_k weights[k] · terms[k] + ceWeight · crossEntropy}.
     *
     * @param temperatures the temperatures to report (those of the method's main term), {@code null} for a loss
     *                     without teacher
     * @param ceWeight     weight of the cross-entropy
     * @param crossEntropy the cross-entropy term
     * @param terms        the distillation terms, in the order they are reported
     * @param weights      their weights, one per term
     */
    void total(T temperatures, double ceWeight, V crossEntropy, List<V> terms, double... weights);

    /**
     * The cross-entropy-only loss {@code ceWeight · L_ce}.
     *
     * @param ceWeight weight of the cross-entropy
     */
    default void crossEntropyOnly(double ceWeight) {
        total(null, ceWeight, crossEntropy(), List.of());
    }

    /**
     * DKD's decoupled terms (Zhao et al. 2022) at the given temperatures:
     * {@code warmup · (alpha · L_tckd + beta · L_nckd) + ceWeight · L_ce}.
     *
     * @param temperatures the temperatures
     * @param alpha        weight of the target-class term
     * @param beta         weight of the non-target term
     * @param ceWeight     weight of the cross-entropy
     * @param policy       the hazard policy of both terms
     */
    default void decoupled(T temperatures, double alpha, double beta, double ceWeight, HazardPolicy policy) {
        V tckd = term(Term.TCKD, Divergence.TARGET, temperatures, policy);
        V nckd = term(Term.NCKD, Divergence.NON_TARGET, temperatures, policy);
        total(temperatures, ceWeight, crossEntropy(), List.of(tckd, nckd), alpha, beta);
    }
}
