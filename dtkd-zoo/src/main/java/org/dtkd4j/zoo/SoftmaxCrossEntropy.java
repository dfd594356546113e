package org.dtkd4j.zoo;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.lossfunctions.LossUtil;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.Arrays;

/**
 * Cross-entropy of softmax probabilities computed from logits, for output layers whose activation leaves the
 * logits unchanged (the {@link CifarZoo} models), so the network's output stays the logits.
 *
 * <p>With logits {@code z = activation(preOutput)} and (one-hot or soft) labels {@code y}, the per-example score is
 * <pre>  L = Σ_c y_c (logsumexp(z) − z_c)  =  −Σ_c y_c log softmax(z)_c</pre>
 * and its gradient {@code ∂L/∂z_c = softmax(z)_c · Σ_k y_k − y_c}, computed in closed form with the maximum
 * subtracted before exponentiation, so it is finite for any finite logits. This is PyTorch's
 * {@code F.cross_entropy} for one-hot targets, the loss the reference trains its models with. DL4J's own
 * {@code LossMCXENT} instead needs a softmax activation, which would replace the logits by probabilities.
 * Per-example ({@code [N,1]}) and per-output ({@code [N,C]}) masks multiply the score and the gradient.
 */
public final class SoftmaxCrossEntropy implements ILossFunction {

    /** Creates the loss; it has no configuration. */
    public SoftmaxCrossEntropy() {
    }

    /** @return {@code [logits, softmax(logits), logsumexp(logits) as [N,1]]} */
    private static INDArray[] softmaxTerms(INDArray labels, INDArray preOutput, IActivation activationFn) {
        if (!Arrays.equals(labels.shape(), preOutput.shape()) || preOutput.rank() != 2) {
            throw new IllegalArgumentException("SoftmaxCrossEntropy needs labels and logits of the same shape [N, C]; "
                    + "found labels " + Arrays.toString(labels.shape()) + " and logits "
                    + Arrays.toString(preOutput.shape()));
        }
        INDArray z = activationFn.getActivation(preOutput.dup(), true);
        INDArray max = z.max(true, 1);
        INDArray exp = Transforms.exp(z.subColumnVector(max), false);
        INDArray sum = exp.sum(true, 1);
        INDArray logSumExp = Transforms.log(sum, true).addi(max);
        return new INDArray[] {z, exp.diviColumnVector(sum), logSumExp};
    }

    @Override
    public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        INDArray[] t = softmaxTerms(labels, preOutput, activationFn);
        INDArray perClass = t[0].rsubColumnVector(t[2]).muli(labels.castTo(t[0].dataType()));
        if (mask != null) {
            LossUtil.applyMask(perClass, mask);
        }
        return perClass.sum(true, 1);
    }

    @Override
    public double computeScore(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask,
                               boolean average) {
        double total = computeScoreArray(labels, preOutput, activationFn, mask).sumNumber().doubleValue();
        return average ? total / preOutput.size(0) : total;
    }

    @Override
    public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        INDArray[] t = softmaxTerms(labels, preOutput, activationFn);
        INDArray y = labels.castTo(t[0].dataType());
        INDArray dLdz = t[1].muliColumnVector(y.sum(true, 1)).subi(y);
        if (mask != null) {
            LossUtil.applyMask(dLdz, mask);
        }
        return activationFn.backprop(preOutput.dup(), dLdz).getFirst();
    }

    @Override
    public Pair<Double, INDArray> computeGradientAndScore(INDArray labels, INDArray preOutput, IActivation activationFn,
                                                          INDArray mask, boolean average) {
        return new Pair<>(computeScore(labels, preOutput, activationFn, mask, average),
                computeGradient(labels, preOutput, activationFn, mask));
    }

    @Override
    public String name() {
        return "SoftmaxCrossEntropy";
    }

    @Override
    public String toString() {
        return name() + "()";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SoftmaxCrossEntropy;
    }

    @Override
    public int hashCode() {
        return SoftmaxCrossEntropy.class.hashCode();
    }
}
