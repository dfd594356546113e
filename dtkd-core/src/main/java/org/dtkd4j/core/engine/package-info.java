/**
 * The distillation engine: {@link org.dtkd4j.core.engine.Distiller} trains a student against a frozen teacher with
 * the reference recipe ({@link org.dtkd4j.core.engine.TrainingRecipe}), evaluates top-1/top-5 every epoch, writes a
 * run directory (config, {@code metrics.csv} rows of {@link org.dtkd4j.core.engine.EpochMetrics}, atomic
 * checkpoints, summary, log), stops before a non-finite update, and resumes exactly. It can train without
 * augmentation, reuse the teacher's training-set logits across epochs (a {@code TeacherLogitCache}), and train
 * data-parallel on several workers with DL4J's {@code ParallelWrapper}, summing every worker's loss statistics
 * (an {@code EpochStatsListener}).
 *
 * <p>Inside the package, {@code Distiller} is the training engine (epoch loop, evaluation, divergence, workers, an
 * {@link org.dtkd4j.core.engine.EpochTrainer} taking the steps elsewhere) and two collaborators hold the rest: a
 * {@code RunDirectory} owns the run directory's files (config, metrics rows, log, summary, checkpoints) and reads them
 * back on resume; {@code StudentPreparation} checks teacher, method and data against each other and readies the
 * student (distillation loss on its output, SGD with momentum on the recipe's schedule, the engine's listeners, the
 * convolution activation cache).
 */
package org.dtkd4j.core.engine;
