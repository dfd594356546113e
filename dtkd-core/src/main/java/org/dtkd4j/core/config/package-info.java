/**
 * Immutable, self-validating configurations of the distillation losses, one record per method, and the
 * {@link org.dtkd4j.core.config.Method} registry that lists them.
 *
 * <p>Each record ({@link org.dtkd4j.core.config.KdConfig}, {@link org.dtkd4j.core.config.DkdConfig},
 * {@link org.dtkd4j.core.config.DtkdConfig}, {@link org.dtkd4j.core.config.DtkdDkdConfig}, the cross-entropy-only
 * {@link org.dtkd4j.core.config.CeConfig}, ...) implements the sealed
 * {@link org.dtkd4j.core.config.DistillationConfig} and is the one place that knows its method: defaults
 * ({@code defaults()}, the official hyper-parameters of the reference code), validation (its constructor rejects
 * invalid values with an {@link java.lang.IllegalArgumentException} naming the field and the value found), warmup,
 * the loss itself written once against {@link org.dtkd4j.core.loss.LossBuilder} (run by the closed form and by the
 * SameDiff graph), its serialised form, and its keys in the official YAML configs
 * ({@link org.dtkd4j.core.config.ConfigKey}). Everything that lists methods (the loss factories, the DL4J adapter,
 * the engine, the command line, the YAML reader, the benchmarks) reads {@link org.dtkd4j.core.config.Method}.
 * {@link org.dtkd4j.core.config.HazardPolicy} chooses between guarding, reproducing and rejecting the degenerate
 * inputs on which the official formulas produce NaN or infinities.
 */
package org.dtkd4j.core.config;
