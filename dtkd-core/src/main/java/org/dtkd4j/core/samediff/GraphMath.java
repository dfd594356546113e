package org.dtkd4j.core.samediff;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ops.impl.controlflow.compat.StopGradient;

/**
 * The numerically careful SameDiff operations the loss graphs are built from: divergences, log-softmax and
 * log-sum-exp with stop-gradient shifts, division by a per-row temperature, one-hot labels. Each works around a
 * property of SameDiff 1.0.0-M2.1 stated in its javadoc, and computes what {@code org.dtkd4j.core.loss} computes in
 * closed form.
 */
final class GraphMath {

    /** What DKD subtracts from the target logit (after division by the temperature), as the reference. */
    static final double MASK = 1000.0;

    private final SameDiff sd;
    private final DataType dtype;

    GraphMath(SameDiff sd, DataType dtype) {
        this.sd = sd;
        this.dtype = dtype;
    }

    /**
     * {@code KL(softmax(v) ‖ softmax(u))} per row, {@code 0·log 0 = 0}. With {@code reference}, adds
     * {@code 0·Σ√p}: exactly 0 in the forward pass, and a NaN gradient when a teacher probability {@code p} is 0,
     * reproducing torch's {@code xlogy(p, p)} backward ({@code p/p}) that makes the official DTKD gradient NaN at
     * the student arg-max when a teacher probability underflows.
     */
    SDVariable kl(SDVariable u, SDVariable v, boolean reference) {
        SDVariable lq = logSoftmax(u);
        SDVariable lp = logSoftmax(v);
        SDVariable p = sd.math().exp(lp);
        SDVariable f = p.mul(lp.sub(lq)).sum(true, 1);
        return reference ? f.add(sd.math().sqrt(p).sum(true, 1).mul(0.0)) : f;
    }

    /**
     * DKD's target-class KL of the binary [target, non-target] masses. The stable form works with the log-odds
     * {@code d = x_y − logsumexp_{c≠y}(x)} of each distribution: {@code log P = −softplus(−d)},
     * {@code log Q = −softplus(d)}, so the gradient {@code ∂f/∂d_s = P_s − P_t} involves no cancellation (it stays
     * accurate in float32 when both target probabilities are tiny). With {@code reference}, the student's masses are
     * summed softmax probabilities and their {@code log} is taken directly, like the official code ({@code −∞} when
     * they underflow).
     */
    SDVariable targetKl(SDVariable u, SDVariable v, SDVariable oneHot, boolean reference) {
        SDVariable dt = logOdds(v, oneHot);
        SDVariable logPt = softplus(dt.neg()).neg();
        SDVariable logQt = softplus(dt).neg();
        SDVariable logPs;
        SDVariable logQs;
        if (reference) {
            SDVariable shifted = u.sub(stop(sd.max(u, true, 1)));
            SDVariable e = sd.math().exp(shifted);
            SDVariable q = divide(e, e.sum(true, 1));
            logPs = sd.math().log(q.mul(oneHot).sum(true, 1));
            logQs = sd.math().log(q.mul(oneHot.rsub(1.0)).sum(true, 1));
        } else {
            SDVariable ds = logOdds(u, oneHot);
            logPs = softplus(ds.neg()).neg();
            logQs = softplus(ds).neg();
        }
        return sd.math().exp(logPt).mul(logPt.sub(logPs)).add(sd.math().exp(logQt).mul(logQt.sub(logQs)));
    }

    /** {@code x_y − logsumexp_{c≠y}(x)} per row, {@code [N, 1]}. */
    private SDVariable logOdds(SDVariable x, SDVariable oneHot) {
        return x.mul(oneHot).sum(true, 1).sub(logSumExpExcept(x, oneHot));
    }

    /** {@code log(1 + e^x)} as {@code m + log(e^{−m} + e^{x−m})}, {@code m = max(x, 0)} (stop-gradient). */
    private SDVariable softplus(SDVariable x) {
        SDVariable m = stop(sd.math().max(x, x.mul(0.0)));
        return sd.math().log(sd.math().exp(m.neg()).add(sd.math().exp(x.sub(m)))).add(m);
    }

    /**
     * {@code log Σ_{c≠y} exp(x_c)} per row: the target entry is replaced by {@code min(x) − 1000}, whose
     * exponential underflows to 0 next to any other entry, and the maximum is a stop-gradient shift.
     */
    private SDVariable logSumExpExcept(SDVariable x, SDVariable oneHot) {
        SDVariable low = stop(sd.min(x, true, 1).sub(MASK));
        SDVariable masked = x.mul(oneHot.rsub(1.0)).add(oneHot.mul(low));
        SDVariable max = stop(sd.max(masked, true, 1));
        return sd.math().log(sd.math().exp(masked.sub(max)).sum(true, 1)).add(max);
    }

    /**
     * {@code log_softmax} over the last dimension as {@code (x − max) − log Σ exp(x − max)}, with a stop-gradient
     * shift. SameDiff's own {@code logSoftmax} computes {@code log(softmax(x))}, which is {@code −∞} wherever the
     * softmax underflows (e.g. DKD's masked target) and then turns {@code 0·log 0} into NaN.
     */
    SDVariable logSoftmax(SDVariable x) {
        SDVariable shifted = x.sub(stop(sd.max(x, true, 1)));
        return shifted.sub(sd.math().log(sd.math().exp(shifted).sum(true, 1)));
    }

    /**
     * {@code x / y} for {@code x [N, C]} and a per-row {@code y} ({@code [N, 1]} or scalar). A row divisor is first
     * broadcast to {@code [N, C]} by addition: SameDiff 1.0.0-M2.1's broadcasting division back-propagates C times
     * the gradient into a {@code [N, 1]} divisor, which would corrupt the gradient through the temperatures.
     */
    static SDVariable divide(SDVariable x, SDVariable y) {
        return x.div(x.mul(0.0).add(y));
    }

    /** One-hot rows from integer labels, without needing the number of classes at build time. */
    SDVariable oneHotOf(SDVariable labels, SDVariable s) {
        SDVariable columns = sd.cumsum(stop(s).mul(0.0).add(1.0), true, false, 1);
        SDVariable y = sd.expandDims(labels.castTo(dtype), 1);
        return sd.eq(columns, y).castTo(dtype);
    }

    /**
     * A named copy of an input: a cast to its own type, because SameDiff reports no activation to listeners for
     * identity ops.
     */
    static SDVariable copy(SDVariable x) {
        return x.castTo(x.dataType());
    }

    SDVariable constant(double value) {
        return sd.constant(value).castTo(dtype);
    }

    SDVariable stop(SDVariable x) {
        return new StopGradient(sd, x).outputVariable();
    }


    /**
     * Logit standardisation {@code (z − mean)/(1e-7 + std)} per row, unbiased std, as the official code. The std is
     * {@code sqrt(var·m + 1 − m)·m} with the stop-gradient mask {@code m = [var > 0]}: exactly 0 with a zero
     * gradient on a row of zero variance (torch's std backward), where a plain {@code sqrt} would back-propagate
     * {@code 0·∞ = NaN}. The row mean and the class count are reduced to {@code [N, 1]} and broadcast by addition.
     *
     * @param z logits {@code [N, C]}
     * @return the standardised logits {@code [N, C]}
     */
    SDVariable standardize(SDVariable z) {
        SDVariable centered = centered(z);
        SDVariable variance = variance(centered, z);
        SDVariable m = stop(variance.gt(0.0).castTo(dtype));
        SDVariable std = sd.math().sqrt(variance.mul(m).add(m.rsub(1.0))).mul(m);
        return divide(centered, std.add(1e-7));
    }

    /** @return {@code [N, 1]}: the unbiased variance of each row, two-pass, as {@link #standardize} */
    SDVariable variance(SDVariable z) {
        return variance(centered(z), z);
    }

    /** {@code z − mean(z)}, the mean a plain sum divided by {@code C} broadcast by addition. */
    private static SDVariable centered(SDVariable z) {
        return z.sub(z.mul(0.0).add(z.sum(true, 1).div(z.mul(0.0).add(1.0).sum(true, 1))));
    }

    private static SDVariable variance(SDVariable centered, SDVariable z) {
        return centered.mul(centered).sum(true, 1).div(z.mul(0.0).add(1.0).sum(true, 1).sub(1.0));
    }

    /** @return {@code [N, 1]}: 1 on rows whose entries are all equal, else 0 (no gradient) */
    SDVariable constantRows(SDVariable z) {
        return stop(sd.max(z, true, 1).eq(sd.min(z, true, 1)).castTo(dtype));
    }
}
