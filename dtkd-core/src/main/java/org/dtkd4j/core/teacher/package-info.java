/**
 * Frozen teachers for knowledge distillation: the {@link org.dtkd4j.core.teacher.Teacher} interface and its
 * implementations for in-memory models, {@link org.dtkd4j.core.teacher.GraphTeacher} (a DL4J
 * {@code ComputationGraph} or {@code MultiLayerNetwork}, also from a ModelSerializer zip; a final softmax is removed
 * so the logits are the pre-softmax activations) and {@link org.dtkd4j.core.teacher.SameDiffTeacher} (a named
 * variable of a SameDiff graph). Both take NCHW features, permute them for NHWC models, check the input and logit
 * shapes, and run in inference mode with detached results. Format-specific loaders (ONNX, Keras) live in
 * {@code dtkd-zoo}, where their dependencies belong.
 */
package org.dtkd4j.core.teacher;
