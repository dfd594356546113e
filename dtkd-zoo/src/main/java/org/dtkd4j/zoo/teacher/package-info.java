/**
 * Loading frozen teachers from anywhere: {@link org.dtkd4j.zoo.teacher.Teachers#load(java.nio.file.Path)} picks the
 * loader by file extension (ONNX, Keras 2 {@code .h5}, DL4J ModelSerializer zip), and
 * {@link org.dtkd4j.zoo.teacher.Teachers#zooFromOnnx(String, java.nio.file.Path)} turns a PyTorch export of a zoo
 * architecture into the native zoo graph. Every teacher implements {@link org.dtkd4j.core.teacher.Teacher}: NCHW
 * features in, logits before any softmax out, inference mode, detached results.
 */
package org.dtkd4j.zoo.teacher;
