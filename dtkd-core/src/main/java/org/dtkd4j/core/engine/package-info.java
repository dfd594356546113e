/**
 * The distillation engine: {@link org.dtkd4j.core.engine.Distiller} trains a student against a frozen teacher with
 * the reference recipe ({@link org.dtkd4j.core.engine.TrainingRecipe}), evaluates top-1/top-5 every epoch, writes a
 * run directory (config, {@code metrics.csv} rows of {@link org.dtkd4j.core.engine.EpochMetrics}, atomic
 * checkpoints, summary, log), stops before a non-finite update, and resumes exactly. It can train without
 * augmentation, reuse the teacher's training-set logits across epochs (a {@code TeacherLogitCache}), and train
 * data-parallel on several workers with DL4J's {@code ParallelWrapper}, summing every worker's loss statistics
 * (an {@code EpochStatsListener}).
 */
package org.dtkd4j.core.engine;
