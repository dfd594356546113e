package org.dtkd4j.core.optim;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.Map;
import java.util.Objects;

/**
 * Stochastic gradient descent with heavy-ball momentum, exactly as PyTorch's {@code torch.optim.SGD} computes it
 * (dampening 0, no Nesterov), which the DTKD reference trains with.
 *
 * <p>Per step, with learning rate {@code lr} and momentum {@code μ}, for the (minibatch-averaged, weight-decayed)
 * gradient {@code g}:
 * <pre>
 *   v ← μ·v + g          (v starts at 0, so the first step has v = g, as in PyTorch)
 *   w ← w − lr·v
 * </pre>
 * DL4J's {@code Nesterovs} updater computes Nesterov momentum instead ({@code w ← w + μ·v_prev − (1+μ)·v} with
 * {@code v ← μ·v − lr·g}), and its {@code Sgd} has no momentum, so neither reproduces the reference. Weight decay in
 * the PyTorch sense (added to the gradient before momentum, on every parameter) is {@link TorchWeightDecay}.
 *
 * <p>The learning rate may follow a schedule (e.g. {@link LearningRates#multiStep}); the momentum is constant.
 * Serialises to JSON with the network configuration, so a saved model resumes with the same updater and state
 * (the state {@code "V"} is saved by {@code ModelSerializer} with {@code saveUpdater = true}).
 */
public final class SgdMomentum implements IUpdater {

    private static final long serialVersionUID = 1L;

    private final double learningRate;
    private final ISchedule learningRateSchedule;
    private final double momentum;

    /**
     * @param learningRate fixed learning rate, finite and &gt; 0
     * @param momentum momentum factor in [0, 1)
     */
    public SgdMomentum(double learningRate, double momentum) {
        this(learningRate, null, momentum);
    }

    /**
     * @param learningRateSchedule learning rate per (iteration, epoch)
     * @param momentum momentum factor in [0, 1)
     */
    public SgdMomentum(ISchedule learningRateSchedule, double momentum) {
        this(Double.NaN, Objects.requireNonNull(learningRateSchedule, "learningRateSchedule"), momentum);
    }

    private SgdMomentum(@JsonProperty("learningRate") double learningRate,
                        @JsonProperty("learningRateSchedule") ISchedule learningRateSchedule,
                        @JsonProperty("momentum") double momentum) {
        if (learningRateSchedule == null && !(learningRate > 0 && Double.isFinite(learningRate))) {
            throw new IllegalArgumentException("SgdMomentum.learningRate must be finite and > 0, found " + learningRate);
        }
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("SgdMomentum.momentum must be in [0, 1), found " + momentum);
        }
        this.learningRate = learningRate;
        this.learningRateSchedule = learningRateSchedule;
        this.momentum = momentum;
    }

    /** @return the fixed learning rate ({@code NaN} when a schedule is used) */
    @JsonProperty("learningRate")
    public double learningRate() {
        return learningRate;
    }

    /** @return the learning-rate schedule, or {@code null} for a fixed rate */
    @JsonProperty("learningRateSchedule")
    public ISchedule learningRateSchedule() {
        return learningRateSchedule;
    }

    /** @return the momentum factor */
    @JsonProperty("momentum")
    public double momentum() {
        return momentum;
    }

    @Override
    public long stateSize(long numParams) {
        return momentum == 0 ? 0 : numParams;
    }

    @Override
    public GradientUpdater<SgdMomentum> instantiate(INDArray viewArray, boolean initializeViewArray) {
        SgdMomentumUpdater u = new SgdMomentumUpdater(this);
        if (momentum != 0) {
            u.setStateViewArray(viewArray, viewArray.shape(), viewArray.ordering(), initializeViewArray);
        }
        return u;
    }

    @Override
    public GradientUpdater<SgdMomentum> instantiate(Map<String, INDArray> updaterState, boolean initializeStateArrays) {
        SgdMomentumUpdater u = new SgdMomentumUpdater(this);
        u.setState(updaterState, initializeStateArrays);
        return u;
    }

    @Override
    public SgdMomentum clone() {
        return new SgdMomentum(learningRate, learningRateSchedule == null ? null : learningRateSchedule.clone(),
                momentum);
    }

    @Override
    public double getLearningRate(int iteration, int epoch) {
        return learningRateSchedule != null ? learningRateSchedule.valueAt(iteration, epoch) : learningRate;
    }

    @Override
    public boolean hasLearningRate() {
        return true;
    }

    @Override
    public void setLrAndSchedule(double lr, ISchedule lrSchedule) {
        throw new UnsupportedOperationException("SgdMomentum is immutable: build a new one with the learning rate "
                + lr + (lrSchedule == null ? "" : " and schedule " + lrSchedule));
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof SgdMomentum)) {
            return false;
        }
        SgdMomentum s = (SgdMomentum) o;
        return Double.compare(learningRate, s.learningRate) == 0 && Double.compare(momentum, s.momentum) == 0
                && Objects.equals(learningRateSchedule, s.learningRateSchedule);
    }

    @Override
    public int hashCode() {
        return Objects.hash(learningRate, learningRateSchedule, momentum);
    }

    @Override
    public String toString() {
        return "SgdMomentum(lr=" + (learningRateSchedule != null ? learningRateSchedule : learningRate)
                + ", momentum=" + momentum + ")";
    }
}
