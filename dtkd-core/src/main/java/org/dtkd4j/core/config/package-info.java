/**
 * Immutable, self-validating configurations of the distillation losses.
 *
 * <p>One record per method ({@link org.dtkd4j.core.config.KdConfig}, {@link org.dtkd4j.core.config.DkdConfig},
 * {@link org.dtkd4j.core.config.DtkdConfig}, {@link org.dtkd4j.core.config.DtkdDkdConfig} and the cross-entropy-only
 * {@link org.dtkd4j.core.config.CeConfig}), all implementing the sealed
 * {@link org.dtkd4j.core.config.DistillationConfig}, so that one factory can build any loss.
 * {@code defaults()} returns the official hyper-parameters of the reference code (JinYu1998/DTKD, mdistiller);
 * {@link org.dtkd4j.core.config.Method#defaultConfig()} gives them per method. Constructors reject invalid values
 * with an {@link java.lang.IllegalArgumentException} naming the field and the value found.
 * {@link org.dtkd4j.core.config.HazardPolicy} chooses between guarding, reproducing and rejecting the degenerate
 * inputs on which the official formulas produce NaN or infinities.
 */
package org.dtkd4j.core.config;
