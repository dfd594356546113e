/**
 * {@code dtkd bench}: one table, measured in one run, of what distillation costs in DL4J and in PyTorch on the same
 * machine with the same threads, batch and shapes.
 *
 * <ul>
 *   <li>{@link org.dtkd4j.examples.bench.LossBench}: loss forward+backward of KD, DTKD, DKD and DTKD+DKD in three
 *   implementations: the closed form ({@link org.dtkd4j.core.loss.DistillationLosses}, double precision), the DL4J
 *   path a training step takes ({@link org.dtkd4j.core.dl4j.DistillationLossFunction#computeGradientAndScore}) and
 *   the SameDiff op ({@link org.dtkd4j.core.samediff.SameDiffLosses}).</li>
 *   <li>{@link org.dtkd4j.examples.bench.StepBench}: one distillation step as the engine runs it (teacher forward,
 *   labels packed, student forward/backward/update with the student prepared by
 *   {@link org.dtkd4j.core.engine.Distiller}), for every method, and teacher inference alone.</li>
 *   <li>{@link org.dtkd4j.examples.bench.TorchBench}: the same rows from {@code bench_torch.py} (a resource of this
 *   package) run with {@code /usr/bin/python3}, alternating with the DL4J groups.</li>
 *   <li>{@link org.dtkd4j.examples.bench.Sampler}: median time after warmup, samples/s, peak JVM heap, JavaCPP
 *   off-heap and resident memory, and memory after each of several "epochs" to flag growth.</li>
 *   <li>{@link org.dtkd4j.examples.bench.BenchReport}: the table, the target ratios, JSON/CSV output;
 *   {@link org.dtkd4j.examples.bench.StepProfile}: where the time of one step goes, by ND4J op.</li>
 * </ul>
 * A benchmark, not a test: nothing here asserts a time.
 */
package org.dtkd4j.examples.bench;
