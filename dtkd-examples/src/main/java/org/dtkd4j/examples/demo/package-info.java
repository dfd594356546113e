/**
 * The demo, {@code dtkd demo}: {@link org.dtkd4j.examples.demo.FashionDemo} trains a small teacher and the same
 * student with NONE, KD and DTKD (Wei &amp; Bai 2024, arXiv:2404.12711) on a fixed class-balanced Fashion-MNIST subset
 * ({@link org.dtkd4j.examples.demo.DemoData}: Debian's {@code dataset-fashion-mnist} files when installed, else the
 * identical subset bundled in the jar, written by {@link org.dtkd4j.examples.demo.DemoSubsetGenerator}), and returns
 * the table it prints ({@link org.dtkd4j.examples.demo.DemoResult}); {@link org.dtkd4j.examples.demo.DemoOptions}
 * holds the sizes, epochs, seed and paths.
 */
package org.dtkd4j.examples.demo;
