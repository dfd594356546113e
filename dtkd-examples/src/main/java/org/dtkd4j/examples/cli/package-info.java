/**
 * The {@code dtkd} command line: {@link org.dtkd4j.examples.cli.DtkdCli} and its subcommands {@code demo} (the
 * Fashion-MNIST demo, {@link org.dtkd4j.examples.demo.FashionDemo}), {@code train} (one model alone), {@code distill}
 * (teacher to student with KD, DKD, DTKD or DTKD_DKD), {@code eval} (top-1/top-5 of a saved model), {@code compare}
 * (several runs in one plot and a table), {@code study} (a seeded accuracy study: every method for several seeds
 * from the same initial weights, one table with paired intervals and one plot) and {@code bench} (the benchmark,
 * {@link org.dtkd4j.examples.bench}).
 *
 * <p>{@code train} and {@code distill} take an experiment YAML in the reference's schema
 * ({@link org.dtkd4j.examples.config.ExperimentConfig}) with {@code KEY VALUE} overrides, as the reference's
 * {@code tools/train.py --cfg x.yaml KEY VALUE}, and run the engine ({@link org.dtkd4j.core.engine.Distiller}).
 * They validate the configuration, data, models and teacher before creating the run directory, so bad input exits
 * with code 2 and one line, and leaves nothing behind.
 */
package org.dtkd4j.examples.cli;
