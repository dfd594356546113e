package org.dtkd4j.core.teacher;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A frozen teacher: anything that maps a feature batch to class logits, in inference mode, never updated by
 * student training.
 *
 * <p>Contract, for every implementation:
 * <ul>
 *   <li>{@link #logits(INDArray)} takes features in DL4J's layout ({@code [N, C, H, W]} for images, {@code [N, F]}
 *   for vectors) and returns {@code [N, numClasses()]} logits, before any softmax. An implementation whose model
 *   wants another layout (e.g. NHWC for Keras) converts internally; callers never do.</li>
 *   <li>No gradient is computed, no parameter or BatchNorm statistic changes, and the returned array is detached
 *   from any workspace, so it may be kept across iterations.</li>
 *   <li>An input the model cannot take, or a model whose output is not {@code [N, numClasses()]}, gives an
 *   {@link IllegalArgumentException} naming the expected and the found shape.</li>
 * </ul>
 * Implementations are not required to be thread-safe; use one instance per training thread.
 */
public interface Teacher extends AutoCloseable {

    /**
     * Computes the teacher's logits for one minibatch.
     *
     * @param features feature batch in DL4J layout, {@code [N, ...]}
     * @return logits {@code [N, numClasses()]}, detached from any workspace
     */
    INDArray logits(INDArray features);

    /** @return the number of classes, the width of {@link #logits(INDArray)}'s result */
    int numClasses();

    /** @return a one-line description for logs, e.g. {@code "ONNX teacher resnet32x4.onnx (100 classes)"} */
    String describe();

    /** Releases native resources the teacher holds; the default does nothing. */
    @Override
    default void close() {
    }
}
