/**
 * The distillation losses for DL4J's {@code MultiLayerNetwork} and {@code ComputationGraph}, trained with plain
 * {@code fit(iterator)}.
 *
 * <p>{@link org.dtkd4j.core.dl4j.DistillationLossFunction} is an {@code ILossFunction} for the student's output
 * layer (identity activation), built from any {@link org.dtkd4j.core.config.DistillationConfig}; it evaluates the
 * closed form of {@code org.dtkd4j.core.loss} in double precision (KD's loss and the cross-entropy alone on a float32
 * network: {@link org.dtkd4j.core.loss.FloatKd}, in float32 on the network's buffers) and survives JSON and
 * {@code ModelSerializer} round trips. The teacher's logits reach it through the labels, packed as {@code [one-hot | teacher logits]} by
 * {@link org.dtkd4j.core.dl4j.TeacherLabels} or, per minibatch, by a
 * {@link org.dtkd4j.core.dl4j.TeacherLabelIterator} wrapped around the training iterator.
 * {@link org.dtkd4j.core.dl4j.DistillationListener} keeps the warmup epoch in step with training. Per-batch and
 * per-epoch temperature statistics are available from the loss function.
 * {@link org.dtkd4j.core.dl4j.NativeSeed} turns a user's seed into one ND4J's native generator reproduces (libnd4j
 * seeds 0 from the clock).
 *
 * <pre>{@code
 * DistillationLossFunction loss = DistillationLossFunction.of(DtkdConfig.defaults());
 * ... .addLayer("out", new OutputLayer.Builder(loss).nIn(64).nOut(100)
 *         .activation(Activation.IDENTITY).build(), "pool") ...
 * student.setListeners(new DistillationListener());
 * student.fit(new TeacherLabelIterator(trainIterator, teacher), epochs);
 * }</pre>
 */
package org.dtkd4j.core.dl4j;
