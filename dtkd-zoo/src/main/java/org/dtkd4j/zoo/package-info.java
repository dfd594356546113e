/**
 * The CIFAR model zoo of knowledge-distillation research as DL4J graphs.
 *
 * <p>{@link org.dtkd4j.zoo.CifarZoo#build(String, org.dtkd4j.zoo.ZooSpec)} builds any of the 23 models of the
 * reference's {@code cifar_model_dict} (ResNet, WRN, VGG, MobileNetV2, ShuffleNet V1/V2) by name, with exactly the
 * reference's trainable parameters, for any class count and input shape ({@link org.dtkd4j.zoo.ZooSpec}). The
 * graphs output logits ({@link org.dtkd4j.zoo.CifarZoo#OUTPUT}), expose their pooled features
 * ({@link org.dtkd4j.zoo.CifarZoo#FEATURES}), train with softmax cross-entropy on the logits by default (core's
 * {@code DistillationLossFunction} with {@code CeConfig}), compute in NCHW or NHWC
 * ({@link org.dtkd4j.zoo.ZooSpec#dataFormat()}), start from the reference's initialisation
 * ({@link org.dtkd4j.zoo.Initialization}), and accept PyTorch weights through {@link org.dtkd4j.zoo.onnx.PyTorchWeights}. Each family class documents its
 * architecture and paper.
 */
package org.dtkd4j.zoo;
