/**
 * Test data of the examples' tests, in the real file formats the library reads, small enough to train on in
 * seconds and learnable so that accuracies mean something: {@link org.dtkd4j.examples.testdata.TinyCifar} (CIFAR-10
 * and CIFAR-100 binary files), {@link org.dtkd4j.examples.testdata.TinyFashionMnist} (the four IDX files),
 * {@link org.dtkd4j.examples.testdata.TinyExperiment} (a one-epoch experiment YAML on that data) and
 * {@link org.dtkd4j.examples.testdata.GoldenOnnx} (the ONNX exports of the shared golden fixtures).
 */
package org.dtkd4j.examples.testdata;
