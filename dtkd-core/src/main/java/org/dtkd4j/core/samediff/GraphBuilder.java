package org.dtkd4j.core.samediff;

import org.dtkd4j.core.config.DistillationConfig;
import org.dtkd4j.core.config.HazardPolicy;
import org.dtkd4j.core.loss.Divergence;
import org.dtkd4j.core.loss.LossBuilder;
import org.dtkd4j.core.loss.Term;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The SameDiff {@link LossBuilder}: adds a distillation loss to a graph. The config's
 * {@link DistillationConfig#build} describes the loss; this builder turns each temperature and term into graph ops
 * (from {@link GraphMath}) and names the outputs, so the graph computes exactly what
 * {@link org.dtkd4j.core.loss.DistillationLosses} computes in closed form, with SameDiff's autodiff giving the
 * gradients.
 *
 * <p>GUARDED (and STRICT) temperatures use the double-{@code where} trick in arithmetic form, since SameDiff's
 * {@code where} has no usable gradient: a row mask {@code m} (1 when both raw temperatures are finite and positive)
 * is computed from stop-gradient copies, the denominator is made safe ({@code (ms+mt)·m + (1−m)}) before dividing,
 * and the temperature is {@code T_dyn·m + T·(1−m)}. Every intermediate value is finite, so a guarded row
 * back-propagates exact zeros through its temperatures instead of {@code 0·∞ = NaN}.
 */
final class GraphBuilder implements LossBuilder<GraphBuilder.Temps, GraphBuilder.TermVariable> {

    private final SameDiff sd;
    private final String name;
    private final DistillationConfig config;
    private final DataType dtype;
    private final GraphMath math;
    private final Map<String, SDVariable> outputs;
    /** The logits the distillation terms see (standardised ones in a {@link #standardized} view). */
    private SDVariable s;
    private SDVariable t;
    /** The raw student logits, for the cross-entropy. */
    private SDVariable raw;
    private SDVariable oneHot;
    private SDVariable epoch;
    /** {@code [N, 1]} rows guarded by this view's standardisation, or {@code null}. */
    private SDVariable standardGuard;

    private GraphBuilder(SameDiff sd, String name, DistillationConfig config, DataType dtype) {
        this.sd = sd;
        this.name = name;
        this.config = config;
        this.dtype = dtype;
        this.math = new GraphMath(sd, dtype);
        this.outputs = new LinkedHashMap<>();
    }

    /** A view of {@code parent} on other logits, sharing its graph, labels, epoch and outputs. */
    private GraphBuilder(GraphBuilder parent, SDVariable s, SDVariable t, SDVariable standardGuard) {
        this.sd = parent.sd;
        this.name = parent.name;
        this.config = parent.config;
        this.dtype = parent.dtype;
        this.math = parent.math;
        this.outputs = parent.outputs;
        this.s = s;
        this.t = t;
        this.raw = parent.raw;
        this.oneHot = parent.oneHot;
        this.epoch = parent.epoch;
        this.standardGuard = standardGuard;
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
        b.inputs(student, usesTeacher ? teacher : null, labels, epoch);
        config.build(b);
        LossVariables vars = new LossVariables(sd, name, config, labels.dataType().isIntType(), b.outputs);
        sd.addListeners(vars.listener());
        return vars;
    }

    /** Names copies of the inputs (observed by the input checks) and the one-hot labels. */
    private void inputs(SDVariable student, SDVariable teacher, SDVariable labels, SDVariable epochVariable) {
        s = output(LossVariables.STUDENT_LOGITS, GraphMath.copy(student));
        raw = s;
        t = teacher == null ? null : output(LossVariables.TEACHER_LOGITS, GraphMath.copy(math.stop(teacher)));
        SDVariable y = output(LossVariables.LABELS, GraphMath.copy(labels));
        oneHot = math.stop(labels.dataType().isIntType() ? math.oneHotOf(y, s) : y.castTo(dtype));
        epoch = epochVariable;
    }

    /** A term's per-sample values {@code [N, 1]} and its name. */
    record TermVariable(Term term, SDVariable perSample) {
    }

    /**
     * Per-sample {@code T_stu·T_tea · f(u, v)} ({@code T_tea²·f} on normalised temperatures), {@code [N,1]}, on
     * {@code u = s/T_stu}, {@code v = t/T_tea}; rows of the temperatures' {@code frozen} mask keep their value and
     * back-propagate nothing.
     */
    @Override
    public TermVariable term(Term term, Divergence divergence, Temps temps, HazardPolicy policy) {
        boolean reference = policy == HazardPolicy.OFFICIAL;
        SDVariable u = GraphMath.divide(s, temps.student);
        SDVariable v = GraphMath.divide(t, temps.teacher);
        SDVariable f = switch (divergence) {
            case FULL -> math.kl(u, v, reference);
            case TARGET -> math.targetKl(u, v, oneHot, reference);
            case NON_TARGET -> math.kl(u.sub(oneHot.mul(GraphMath.MASK)), v.sub(oneHot.mul(GraphMath.MASK)), false);
        };
        SDVariable rows = f.mul(temps.scale == null ? temps.teacher.mul(temps.student) : temps.scale);
        if (temps.frozen != null) {
            rows = math.stop(rows).mul(temps.frozen).add(rows.mul(temps.frozen.rsub(1.0)));
        }
        return new TermVariable(term, rows);
    }

    @Override
    public TermVariable crossEntropy() {
        return new TermVariable(Term.CE, sd.math().neg(math.logSoftmax(raw).mul(oneHot).sum(true, 1)));
    }

    /**
     * GUARDED: constant rows (student or teacher) get {@code z̃ = 0} by a stop-gradient row mask, so they
     * back-propagate exact zeros, and are reported as guarded; STRICT computes like GUARDED (its listener rejects
     * such rows); OFFICIAL keeps the formula on them.
     */
    @Override
    public GraphBuilder standardized(HazardPolicy policy) {
        if (standardGuard != null || s != raw) {
            throw new IllegalStateException(config + " standardises its logits twice");
        }
        SDVariable zs = math.standardize(s);
        SDVariable zt = math.standardize(t);
        if (policy == HazardPolicy.OFFICIAL) {
            return new GraphBuilder(this, zs, zt, null);
        }
        SDVariable constantS = math.constantRows(s);
        SDVariable constantT = math.constantRows(t);
        return new GraphBuilder(this, zs.mul(s.mul(0.0).add(constantS.rsub(1.0))),
                zt.mul(t.mul(0.0).add(constantT.rsub(1.0))), sd.math().max(constantS, constantT));
    }

    /**
     * Names the per-sample and mean outputs of each term, the temperatures, and the total
     * {@code warmup · Σ_k w_k·L_k + ceWeight·L_ce}.
     */
    @Override
    public void total(Temps temps, double ceWeight, TermVariable crossEntropy, List<TermVariable> terms,
                      double... weights) {
        if (weights.length != terms.size()) {
            throw new IllegalArgumentException(terms.size() + " terms need as many weights, found " + weights.length);
        }
        SDVariable warmup = warmupFactor();
        SDVariable distill = null;
        SDVariable distillRows = null;
        List<TermVariable> all = new ArrayList<>(terms);
        all.add(crossEntropy);
        for (int k = 0; k < all.size(); k++) {
            SDVariable rows = all.get(k).perSample();
            SDVariable mean = output(all.get(k).term().outputName(), sd.mean(rows));
            output(LossVariables.PER_SAMPLE + all.get(k).term().outputName(), sd.squeeze(rows, 1));
            if (k < terms.size()) {
                distill = distill == null ? mean.mul(weights[k]) : distill.add(mean.mul(weights[k]));
                distillRows = distillRows == null ? rows.mul(weights[k]) : distillRows.add(rows.mul(weights[k]));
            }
        }
        SDVariable ceMean = outputs.get(crossEntropy.term().outputName()).mul(ceWeight);
        SDVariable ceRows = crossEntropy.perSample().mul(ceWeight);
        if (distill != null) {
            output(LossVariables.TOTAL, warmup.mul(distill).add(ceMean));
            output(LossVariables.PER_SAMPLE + LossVariables.TOTAL, sd.squeeze(warmup.mul(distillRows).add(ceRows), 1));
        } else {
            output(LossVariables.TOTAL, ceMean);
            output(LossVariables.PER_SAMPLE + LossVariables.TOTAL, sd.squeeze(ceRows, 1));
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
    private SDVariable warmupFactor() {
        if (epoch == null || !config.hasWarmup()) {
            return math.constant(1.0);
        }
        SDVariable ratio = math.stop(epoch).castTo(dtype).div((double) config.warmup());
        return sd.min(ratio, math.constant(1.0));
    }

    /**
     * Row temperatures {@code [N,1]} (or scalars), row maxima, the guarded-row mask (null if none), the per-row
     * scale of a term ({@code null}: {@code T_stu·T_tea}) and the rows without distillation gradient (null if none).
     */
    record Temps(SDVariable student, SDVariable teacher, SDVariable studentMax, SDVariable teacherMax,
                 SDVariable guarded, SDVariable scale, SDVariable frozen) {
    }

    @Override
    public Temps fixed(double temperature) {
        SDVariable tc = math.constant(temperature);
        return new Temps(tc, tc, sd.max(s, true, 1), sd.max(t, true, 1), standardGuard, null, null);
    }

    /** DTKD's {@code T_stu = 2·ms/(mt+ms)·T}, {@code T_tea = 2·mt/(mt+ms)·T}, evaluated in that order. */
    @Override
    public Temps dynamic(double temperature, HazardPolicy policy, boolean detach) {
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
            SDVariable rawA = math.stop(ms.mul(2.0).div(sum).mul(temperature));
            SDVariable rawB = math.stop(mt.mul(2.0).div(sum).mul(temperature));
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
            a = math.stop(a);
            b = math.stop(b);
        }
        return new Temps(a, b, ms, mt, withStandardGuard(guarded), null, null);
    }

    /**
     * NormKD's {@code T_stu = T_norm·std(s)}, {@code T_tea = T_norm·std(t)} with the unbiased std, scaled by
     * {@code T_tea²}. GUARDED (and STRICT, whose listener rejects such rows): a constant row's variance is replaced by
     * 1 through a stop-gradient mask before the square root, so its temperature is {@code T_norm} and every
     * intermediate value and gradient is finite; a constant teacher row's scale is 0, and guarded rows are frozen.
     */
    @Override
    public Temps normalized(double temperatureNorm, HazardPolicy policy) {
        SDVariable ms = sd.max(s, true, 1);
        SDVariable mt = sd.max(t, true, 1);
        SDVariable varS = math.variance(s);
        SDVariable varT = math.variance(t);
        if (policy == HazardPolicy.OFFICIAL) {
            SDVariable b = sd.math().sqrt(varT).mul(temperatureNorm);
            return new Temps(sd.math().sqrt(varS).mul(temperatureNorm), b, ms, mt, withStandardGuard(null),
                    b.mul(b), null);
        }
        SDVariable constantS = math.constantRows(s);
        SDVariable constantT = math.constantRows(t);
        SDVariable a = sd.math().sqrt(varS.mul(constantS.rsub(1.0)).add(constantS)).mul(temperatureNorm);
        SDVariable b = sd.math().sqrt(varT.mul(constantT.rsub(1.0)).add(constantT)).mul(temperatureNorm);
        SDVariable rawB = sd.math().sqrt(varT).mul(temperatureNorm);
        SDVariable guarded = withStandardGuard(sd.math().max(constantS, constantT));
        return new Temps(a, b, ms, mt, guarded, rawB.mul(rawB).mul(constantT.rsub(1.0)), guarded);
    }

    private SDVariable withStandardGuard(SDVariable guarded) {
        if (standardGuard == null) {
            return guarded;
        }
        return guarded == null ? standardGuard : sd.math().max(guarded, standardGuard);
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
