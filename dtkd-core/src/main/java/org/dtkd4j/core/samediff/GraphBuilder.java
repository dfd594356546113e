package org.dtkd4j.core.samediff;

import org.dtkd4j.core.config.CeConfig;
import org.dtkd4j.core.config.DistillationConfig;
import org.dtkd4j.core.config.DkdConfig;
import org.dtkd4j.core.config.DtkdConfig;
import org.dtkd4j.core.config.DtkdDkdConfig;
import org.dtkd4j.core.config.HazardPolicy;
import org.dtkd4j.core.config.KdConfig;
import org.dtkd4j.core.config.Method;
import org.dtkd4j.core.loss.Term;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ops.impl.controlflow.compat.StopGradient;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Adds a distillation loss to a SameDiff graph. The graph computes exactly what
 * {@link org.dtkd4j.core.loss.DistillationLosses} computes in closed form, with SameDiff's autodiff giving the
 * gradients; the shared javadoc of that class and of the config records states the formulas.
 *
 * <p>GUARDED (and STRICT) temperatures use the double-{@code where} trick in arithmetic form, since SameDiff's
 * {@code where} has no usable gradient: a row mask {@code m} (1 when both raw temperatures are finite and positive)
 * is computed from stop-gradient copies, the denominator is made safe ({@code (ms+mt)·m + (1−m)}) before dividing,
 * and the temperature is {@code T_dyn·m + T·(1−m)}. Every intermediate value is finite, so a guarded row
 * back-propagates exact zeros through its temperatures instead of {@code 0·∞ = NaN}.
 */
final class GraphBuilder {

    /** What DKD subtracts from the target logit (after division by the temperature), as the reference. */
    private static final double MASK = 1000.0;

    private final SameDiff sd;
    private final String name;
    private final DistillationConfig config;
    private final DataType dtype;
    private final Map<String, SDVariable> outputs = new LinkedHashMap<>();

    private GraphBuilder(SameDiff sd, String name, DistillationConfig config, DataType dtype) {
        this.sd = sd;
        this.name = name;
        this.config = config;
        this.dtype = dtype;
    }

    /** Validates what is known at build time, then builds the loss; see {@link SameDiffLosses#create}. */
    static LossVariables build(SameDiff sd, String name, SDVariable student, SDVariable teacher, SDVariable labels,
                               SDVariable epoch, DistillationConfig config) {
        if (sd == null || config == null) {
            throw new IllegalArgumentException("SameDiff and config must not be null, found "
                    + (sd == null ? "null SameDiff" : "null config"));
        }
        if (name == null || name.isEmpty() || name.contains(":")) {
            throw new IllegalArgumentException("loss name must be non-empty and contain no ':', found "
                    + (name == null ? "null" : "\"" + name + "\""));
        }
        if (sd.hasVariable(name + "/" + LossVariables.TOTAL)) {
            throw new IllegalArgumentException("the graph already has a loss named \"" + name + "\"");
        }
        requireLogits(sd, "student logits", student);
        DataType dtype = student.dataType();
        boolean usesTeacher = config.method().usesTeacher();
        if (usesTeacher) {
            requireLogits(sd, "teacher logits", teacher);
            if (teacher.dataType() != dtype) {
                throw new IllegalArgumentException("teacher logits must have the student logits' data type " + dtype
                        + ", found " + teacher.dataType());
            }
            requireSameShape("teacher logits", teacher.getShape(), student.getShape());
        }
        requireLabels(sd, labels, student.getShape());
        if (epoch != null) {
            requireMember(sd, "epoch", epoch);
            long[] shape = epoch.getShape();
            if (shape != null && Arrays.stream(shape).reduce(1, (a, b) -> a * b) != 1) {
                throw new IllegalArgumentException("epoch must be a scalar, found shape " + Arrays.toString(shape));
            }
        }
        GraphBuilder b = new GraphBuilder(sd, name, config, dtype);
        b.assemble(student, usesTeacher ? teacher : null, labels, epoch);
        LossVariables vars = new LossVariables(sd, name, config, labels.dataType().isIntType(), b.outputs);
        sd.addListeners(vars.listener());
        return vars;
    }

    private void assemble(SDVariable student, SDVariable teacher, SDVariable labels, SDVariable epoch) {
        SDVariable s = output(LossVariables.STUDENT_LOGITS, copy(student));
        SDVariable t = teacher == null ? null : output(LossVariables.TEACHER_LOGITS, copy(stop(teacher)));
        SDVariable y = output(LossVariables.LABELS, copy(labels));
        SDVariable oneHot = stop(labels.dataType().isIntType() ? oneHotOf(y, s) : y.castTo(dtype));
        SDVariable ce = sd.math().neg(logSoftmax(s).mul(oneHot).sum(true, 1));
        SDVariable warmup = warmupFactor(epoch);
        switch (config.method()) {
            case NONE -> finish(warmup, null, new SDVariable[]{ce}, new double[]{((CeConfig) config).ceWeight()},
                    Term.CE);
            case KD -> {
                KdConfig c = (KdConfig) config;
                Temps temps = fixed(s, t, c.temperature());
                SDVariable kd = tempered(Divergence.FULL, s, t, oneHot, temps, false);
                finish(warmup, temps, new SDVariable[]{kd, ce}, new double[]{c.kdWeight(), c.ceWeight()},
                        Term.KD, Term.CE);
            }
            case DKD -> {
                DkdConfig c = (DkdConfig) config;
                dkd(s, t, oneHot, warmup, fixed(s, t, c.temperature()), c.alpha(), c.beta(), c.ceWeight(),
                        c.hazardPolicy(), ce);
            }
            case DTKD -> {
                DtkdConfig c = (DtkdConfig) config;
                Temps temps = dynamic(s, t, c.temperature(), c.hazardPolicy(), c.detachTemperatures());
                boolean reference = c.hazardPolicy() == HazardPolicy.OFFICIAL;
                SDVariable dtkd = tempered(Divergence.FULL, s, t, oneHot, temps, reference);
                SDVariable kd = tempered(Divergence.FULL, s, t, oneHot, fixed(s, t, c.temperature()), false);
                finish(warmup, temps, new SDVariable[]{dtkd, kd, ce}, new double[]{c.alpha(), c.beta(), c.ceWeight()},
                        Term.DTKD, Term.KD, Term.CE);
            }
            case DTKD_DKD -> {
                DtkdDkdConfig c = (DtkdDkdConfig) config;
                dkd(s, t, oneHot, warmup, dynamic(s, t, c.temperature(), c.hazardPolicy(), c.detachTemperatures()),
                        c.alpha(), c.beta(), c.ceWeight(), c.hazardPolicy(), ce);
            }
        }
    }

    private void dkd(SDVariable s, SDVariable t, SDVariable oneHot, SDVariable warmup, Temps temps, double alpha,
                     double beta, double ceWeight, HazardPolicy policy, SDVariable ce) {
        boolean reference = policy == HazardPolicy.OFFICIAL;
        SDVariable tckd = tempered(Divergence.TARGET, s, t, oneHot, temps, reference);
        SDVariable nckd = tempered(Divergence.NON_TARGET, s, t, oneHot, temps, reference);
        finish(warmup, temps, new SDVariable[]{tckd, nckd, ce}, new double[]{alpha, beta, ceWeight},
                Term.TCKD, Term.NCKD, Term.CE);
    }

    /**
     * Names the per-sample and mean outputs of each term, the temperatures, and the total
     * {@code warmup · Σ_distillation w_k·L_k + ceWeight·L_ce} (the last term is the cross-entropy).
     */
    private void finish(SDVariable warmup, Temps temps, SDVariable[] perSample, double[] weights, Term... terms) {
        SDVariable distill = null;
        SDVariable distillRows = null;
        for (int k = 0; k < terms.length; k++) {
            SDVariable rows = perSample[k];
            SDVariable mean = output(terms[k].outputName(), sd.mean(rows));
            output(LossVariables.PER_SAMPLE + terms[k].outputName(), sd.squeeze(rows, 1));
            if (k < terms.length - 1) {
                distill = distill == null ? mean.mul(weights[k]) : distill.add(mean.mul(weights[k]));
                distillRows = distillRows == null ? rows.mul(weights[k]) : distillRows.add(rows.mul(weights[k]));
            }
        }
        int ce = terms.length - 1;
        SDVariable ceMean = outputs.get(terms[ce].outputName());
        SDVariable ceRows = perSample[ce];
        boolean distills = distill != null;
        if (config.method() == Method.KD) {
            output(LossVariables.TOTAL, ceMean.mul(weights[ce]).add(distill));
            output(LossVariables.PER_SAMPLE + LossVariables.TOTAL, sd.squeeze(ceRows.mul(weights[ce])
                    .add(distillRows), 1));
        } else if (distills) {
            output(LossVariables.TOTAL, warmup.mul(distill).add(ceMean.mul(weights[ce])));
            output(LossVariables.PER_SAMPLE + LossVariables.TOTAL, sd.squeeze(warmup.mul(distillRows)
                    .add(ceRows.mul(weights[ce])), 1));
        } else {
            output(LossVariables.TOTAL, ceMean.mul(weights[ce]));
            output(LossVariables.PER_SAMPLE + LossVariables.TOTAL, sd.squeeze(ceRows.mul(weights[ce]), 1));
        }
        output(LossVariables.WARMUP_FACTOR, sd.identity(warmup));
        if (temps != null) {
            output(LossVariables.STUDENT_MAX, sd.squeeze(temps.studentMax, 1));
            output(LossVariables.TEACHER_MAX, sd.squeeze(temps.teacherMax, 1));
            SDVariable zeros = sd.zerosLike(temps.studentMax);
            output(LossVariables.T_STU, sd.squeeze(zeros.add(temps.student), 1));
            output(LossVariables.T_TEA, sd.squeeze(zeros.add(temps.teacher), 1));
            SDVariable guarded = temps.guarded == null ? zeros : temps.guarded;
            output(LossVariables.GUARDED, sd.squeeze(guarded, 1));
            output(LossVariables.GUARDED_ROWS, guarded.sum());
        }
    }

    /** {@code min(epoch/warmup, 1)}, or the constant 1 when no epoch variable is given or there is no warmup. */
    private SDVariable warmupFactor(SDVariable epoch) {
        int warmup = switch (config.method()) {
            case DKD -> ((DkdConfig) config).warmup();
            case DTKD -> ((DtkdConfig) config).warmup();
            case DTKD_DKD -> ((DtkdDkdConfig) config).warmup();
            case NONE, KD -> 0;
        };
        if (epoch == null || warmup == 0) {
            return sd.constant(1.0).castTo(dtype);
        }
        SDVariable ratio = stop(epoch).castTo(dtype).div((double) warmup);
        return sd.min(ratio, sd.constant(1.0).castTo(dtype));
    }

    /** Row temperatures {@code [N,1]} (or scalars), row maxima, and the guarded-row mask (null if none). */
    private record Temps(SDVariable student, SDVariable teacher, SDVariable studentMax, SDVariable teacherMax,
                         SDVariable guarded) {
    }

    private Temps fixed(SDVariable s, SDVariable t, double temperature) {
        SDVariable tc = constant(temperature);
        return new Temps(tc, tc, sd.max(s, true, 1), sd.max(t, true, 1), null);
    }

    /** DTKD's {@code T_stu = 2·ms/(mt+ms)·T}, {@code T_tea = 2·mt/(mt+ms)·T}, evaluated in that order. */
    private Temps dynamic(SDVariable s, SDVariable t, double temperature, HazardPolicy policy, boolean detach) {
        SDVariable ms = sd.max(s, true, 1);
        SDVariable mt = sd.max(t, true, 1);
        SDVariable sum = mt.add(ms);
        SDVariable a;
        SDVariable b;
        SDVariable guarded = null;
        if (policy == HazardPolicy.OFFICIAL) {
            a = ms.mul(2.0).div(sum).mul(temperature);
            b = mt.mul(2.0).div(sum).mul(temperature);
        } else {
            SDVariable rawA = stop(ms.mul(2.0).div(sum).mul(temperature));
            SDVariable rawB = stop(mt.mul(2.0).div(sum).mul(temperature));
            SDVariable valid = sd.math().and(
                    sd.math().and(sd.math().isFinite(rawA), sd.math().isFinite(rawB)),
                    sd.math().and(rawA.gt(0.0), rawB.gt(0.0)));
            SDVariable m = valid.castTo(dtype);
            SDVariable notM = m.rsub(1.0);
            SDVariable safeSum = sum.mul(m).add(notM);
            a = ms.mul(2.0).div(safeSum).mul(temperature).mul(m).add(notM.mul(temperature));
            b = mt.mul(2.0).div(safeSum).mul(temperature).mul(m).add(notM.mul(temperature));
            guarded = notM;
        }
        if (detach) {
            a = stop(a);
            b = stop(b);
        }
        return new Temps(a, b, ms, mt, guarded);
    }

    /** The three divergences of {@code org.dtkd4j.core.loss}, on {@code u = s/T_stu}, {@code v = t/T_tea}. */
    private enum Divergence { FULL, TARGET, NON_TARGET }

    /** Per-sample {@code T_stu·T_tea · f(u, v)}, {@code [N,1]}. */
    private SDVariable tempered(Divergence div, SDVariable s, SDVariable t, SDVariable oneHot, Temps temps,
                                boolean reference) {
        SDVariable u = divide(s, temps.student);
        SDVariable v = divide(t, temps.teacher);
        SDVariable f = switch (div) {
            case FULL -> kl(u, v, reference);
            case TARGET -> targetKl(u, v, oneHot, reference);
            case NON_TARGET -> kl(u.sub(oneHot.mul(MASK)), v.sub(oneHot.mul(MASK)), false);
        };
        return f.mul(temps.teacher.mul(temps.student));
    }

    /**
     * {@code KL(softmax(v) ‖ softmax(u))} per row, {@code 0·log 0 = 0}. With {@code reference}, adds
     * {@code 0·Σ√p}: exactly 0 in the forward pass, and a NaN gradient when a teacher probability {@code p} is 0,
     * reproducing torch's {@code xlogy(p, p)} backward ({@code p/p}) that makes the official DTKD gradient NaN at
     * the student arg-max when a teacher probability underflows.
     */
    private SDVariable kl(SDVariable u, SDVariable v, boolean reference) {
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
    private SDVariable targetKl(SDVariable u, SDVariable v, SDVariable oneHot, boolean reference) {
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
    private SDVariable logSoftmax(SDVariable x) {
        SDVariable shifted = x.sub(stop(sd.max(x, true, 1)));
        return shifted.sub(sd.math().log(sd.math().exp(shifted).sum(true, 1)));
    }

    /**
     * {@code x / y} for {@code x [N, C]} and a per-row {@code y} ({@code [N, 1]} or scalar). A row divisor is first
     * broadcast to {@code [N, C]} by addition: SameDiff 1.0.0-M2.1's broadcasting division back-propagates C times
     * the gradient into a {@code [N, 1]} divisor, which would corrupt the gradient through the temperatures.
     */
    private static SDVariable divide(SDVariable x, SDVariable y) {
        return x.div(x.mul(0.0).add(y));
    }

    /** One-hot rows from integer labels, without needing the number of classes at build time. */
    private SDVariable oneHotOf(SDVariable labels, SDVariable s) {
        SDVariable columns = sd.cumsum(stop(s).mul(0.0).add(1.0), true, false, 1);
        SDVariable y = sd.expandDims(labels.castTo(dtype), 1);
        return sd.eq(columns, y).castTo(dtype);
    }

    /**
     * A named copy of an input: a cast to its own type, because SameDiff reports no activation to listeners for
     * identity ops.
     */
    private static SDVariable copy(SDVariable x) {
        return x.castTo(x.dataType());
    }

    private SDVariable constant(double value) {
        return sd.constant(value).castTo(dtype);
    }

    private SDVariable stop(SDVariable x) {
        return new StopGradient(sd, x).outputVariable();
    }

    private SDVariable output(String output, SDVariable v) {
        SDVariable named = v.rename(name + "/" + output);
        outputs.put(output, named);
        return named;
    }

    private static void requireMember(SameDiff sd, String what, SDVariable v) {
        if (v == null) {
            throw new IllegalArgumentException(what + " must not be null, found null");
        }
        if (v.getSameDiff() != sd) {
            throw new IllegalArgumentException(what + " \"" + v.name() + "\" belongs to another SameDiff instance");
        }
    }

    private static void requireLogits(SameDiff sd, String what, SDVariable v) {
        requireMember(sd, what, v);
        DataType dtype = v.dataType();
        if (!dtype.isFPType()) {
            throw new IllegalArgumentException(what + " must be floating point, found " + dtype);
        }
        long[] shape = v.getShape();
        if (shape != null && (shape.length != 2 || shape[1] >= 0 && shape[1] < 2)) {
            throw new IllegalArgumentException(what + " must be [N, C] with C >= 2, found shape "
                    + Arrays.toString(shape));
        }
    }

    private static void requireSameShape(String what, long[] shape, long[] studentShape) {
        if (shape == null || studentShape == null) {
            return;
        }
        for (int i = 0; i < 2; i++) {
            if (shape[i] >= 0 && studentShape[i] >= 0 && shape[i] != studentShape[i]) {
                throw new IllegalArgumentException(what + " shape " + Arrays.toString(shape)
                        + " does not match student logits shape " + Arrays.toString(studentShape));
            }
        }
    }

    private static void requireLabels(SameDiff sd, SDVariable labels, long[] studentShape) {
        requireMember(sd, "labels", labels);
        DataType dtype = labels.dataType();
        long[] shape = labels.getShape();
        if (dtype.isIntType()) {
            if (shape != null && shape.length != 1) {
                throw new IllegalArgumentException("integer labels must be [N] class indices, found shape "
                        + Arrays.toString(shape));
            }
            if (shape != null && studentShape != null && shape[0] >= 0 && studentShape[0] >= 0
                    && shape[0] != studentShape[0]) {
                throw new IllegalArgumentException("labels shape " + Arrays.toString(shape)
                        + " does not match student logits shape " + Arrays.toString(studentShape));
            }
        } else if (dtype.isFPType()) {
            if (shape != null && shape.length != 2) {
                throw new IllegalArgumentException("one-hot labels must be [N, C], found shape "
                        + Arrays.toString(shape));
            }
            requireSameShape("labels", shape, studentShape);
        } else {
            throw new IllegalArgumentException("labels must be integer class indices or floating-point one-hot rows,"
                    + " found " + dtype);
        }
    }
}
