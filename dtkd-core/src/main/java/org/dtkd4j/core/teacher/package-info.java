/**
 * Frozen teachers for knowledge distillation: the {@link org.dtkd4j.core.teacher.Teacher} interface and its
 * implementations for in-memory DL4J and SameDiff models. Format-specific loaders (ONNX, Keras) live in
 * {@code dtkd-zoo}, where their dependencies belong.
 */
package org.dtkd4j.core.teacher;
