/**
 * Distillation on Apache Spark with DL4J's Spark training (dl4j-spark's {@code ParameterAveragingTrainingMaster}),
 * built only with the Maven profile {@code spark}.
 *
 * <ul>
 *   <li>{@link org.dtkd4j.spark.SparkDistillation}: the epochs of a {@link org.dtkd4j.core.engine.Distiller} trained
 *   on a Spark cluster (synchronous parameter averaging); evaluation, metrics, checkpoints and resume stay the
 *   engine's.</li>
 *   <li>{@link org.dtkd4j.spark.TeacherSource}, {@link org.dtkd4j.spark.SparkTeachers}: how the executors open the
 *   teacher.</li>
 *   <li>{@link org.dtkd4j.spark.SparkDistill}: {@code dtkd distill} as a {@code spark-submit} main;
 *   {@link org.dtkd4j.spark.SparkBench}: samples per second, alone and on Spark.</li>
 * </ul>
 * Versions: dl4j-spark exists at 1.0.0-M2 only; it runs on the 1.0.0-M2.1 core with Spark 3.1.2 (Scala 2.12.18 on
 * Java 17, which also needs {@code --add-opens} flags: see the README).
 */
package org.dtkd4j.spark;
