package org.dtkd4j.core.config;

/**
 * What a loss does on the degenerate inputs where the official DTKD / DKD arithmetic produces negative, infinite
 * or NaN values.
 *
 * <p>The DTKD temperatures {@code T_stu = 2·ms/(ms+mt)·T} and {@code T_tea = 2·mt/(ms+mt)·T} (Wei &amp; Bai 2024,
 * arXiv:2404.12711) come from the raw row maxima {@code ms}, {@code mt} of the student and teacher logits. They are
 * non-finite when {@code ms + mt = 0}, NaN when {@code ms = mt = 0}, zero when one maximum is zero, and negative when
 * the maxima have opposite signs. DKD's target-class KL (Zhao et al. 2022) takes {@code log} of summed probabilities
 * and is {@code +∞} when the student's target or non-target probability mass underflows to 0.
 *
 * <p>A temperature row is <em>hazardous</em> when either temperature is non-finite or {@code ≤ 0}. Rows whose two
 * maxima are both negative give two positive temperatures and are not hazardous (the formula stays finite).
 *
 * <p>Logit standardisation and NormKD (Sun et al. 2024; Chi et al. 2023) divide by a row's std, so for them a row
 * whose student or teacher logits are all equal is hazardous: see
 * {@link org.dtkd4j.core.loss.LossBuilder#standardized} and {@link org.dtkd4j.core.loss.LossBuilder#normalized} for
 * what each policy does there.
 */
public enum HazardPolicy {
    /**
     * The default. A hazardous temperature row uses the reference temperature {@code T} for both networks, so that
     * row's dynamic-temperature term equals its fixed-temperature term, and is counted as a guarded row. Every
     * divergence is computed in log space ({@code 0·log 0 = 0}), so DKD's target-class KL and all gradients stay
     * finite for finite inputs.
     */
    GUARDED,
    /**
     * Reproduces the official PyTorch code, NaN and infinities included: raw temperatures, {@code log} of summed
     * probabilities in DKD's target-class KL, and the NaN gradient that autograd produces at the student's arg-max
     * when a teacher probability underflows (torch's {@code xlogy(p, p)} backward is {@code p/p}). For research and
     * comparison only.
     */
    OFFICIAL,
    /**
     * Computes like {@link #GUARDED} but throws a {@link org.dtkd4j.core.loss.HazardException} naming the first
     * hazardous row and its maxima (or, for DKD, the underflowing probability) instead of guarding it.
     */
    STRICT
}
