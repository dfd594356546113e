/**
 * {@code dtkd bench}: one table, measured in one run, of what distillation costs in DL4J and in PyTorch on the same
 * machine with the same threads, batch and shapes, with spreads, paired ratios and target verdicts that say when a
 * difference is real.
 *
 * <ul>
 *   <li>{@link org.dtkd4j.examples.bench.LossBench}: loss forward+backward of KD, DTKD, DKD and DTKD+DKD in three
 *   implementations: the closed form ({@link org.dtkd4j.core.loss.DistillationLosses}, double precision), the DL4J
 *   path a training step takes ({@link org.dtkd4j.core.dl4j.DistillationLossFunction#computeGradientAndScore}, in a
 *   workspace configured as DL4J's per-layer working memory, where backprop has the gradient allocated) and the
 *   SameDiff op ({@link org.dtkd4j.core.samediff.SameDiffLosses}).</li>
 *   <li>{@link org.dtkd4j.examples.bench.StepBench}: one distillation step as the engine runs it (teacher forward,
 *   labels packed, student forward/backward/update with the student prepared by
 *   {@link org.dtkd4j.core.engine.Distiller}), for every method, and teacher inference alone.</li>
 *   <li>{@link org.dtkd4j.examples.bench.TorchBench}: the same rows from {@code bench_torch.py} (a resource of this
 *   package) run with {@code /usr/bin/python3} in one long-lived process that computes one command at a time and
 *   whose glibc {@code malloc} keeps the memory it frees ({@link org.dtkd4j.examples.bench.TorchBench.Malloc}: with
 *   glibc's defaults PyTorch's step times vary 1.5-2x between processes).</li>
 *   <li>{@link org.dtkd4j.examples.bench.Rounds}: a group of rows (a loss size, or a pair's steps and teacher
 *   inference, both sides) timed in alternating rounds, only one side computing at a time; per row the median over
 *   the rounds and its quartiles, peak memory and memory after blocks of rounds.</li>
 *   <li>{@link org.dtkd4j.examples.bench.Stats} and {@link org.dtkd4j.examples.bench.Targets}: paired per-round
 *   ratios, the distribution-free 95% interval of their median, and the verdict of each target (met, missed, not
 *   distinguishable); {@link org.dtkd4j.examples.bench.MachineState}: load, busy processes, whether the machine
 *   was quiet, and what a first write to fresh memory costs (the launcher {@code ./dtkd} starts the bench's JVM with
 *   its heap written once at start and never shrunk, so that rows do not pay it).</li>
 *   <li>{@link org.dtkd4j.examples.bench.Lever}: speed levers (the student's convolution activation cache and fused
 *   BatchNorm, the teacher's folded BatchNorm) measured against their baseline rows in the same rounds.</li>
 *   <li>{@link org.dtkd4j.examples.bench.BenchReport}: the table, the targets, JSON/CSV output;
 *   {@link org.dtkd4j.examples.bench.StepProfile}: where the time of one step goes, by ND4J op; {@code --loop}: a
 *   plain loop of steps for an external profiler (with {@code bench_torch.py loop} on the PyTorch side).</li>
 * </ul>
 * A benchmark, not a test: nothing here asserts a time.
 */
package org.dtkd4j.examples.bench;
