/**
 * Experiment configuration files in the YAML schema of the DTKD reference (JinYu1998/DTKD on
 * megvii-research/mdistiller; schema {@code mdistiller/engine/cfg.py}).
 *
 * <p>{@link org.dtkd4j.examples.config.ExperimentConfig} loads the reference's per-pair files unchanged (the
 * repository's {@code configs/cifar100/dtkd/*.yaml} and {@code configs/cifar100/dkd/*.yaml} are copies of them),
 * applies {@code KEY VALUE} command-line overrides as yacs' {@code merge_from_list} does, rejects unknown keys and
 * invalid values with messages that name the key and the value found, and converts to this library's types: a
 * {@link org.dtkd4j.core.config.DistillationConfig} for {@code DISTILLER.TYPE} and a
 * {@link org.dtkd4j.core.engine.TrainingRecipe} from {@code SOLVER.*}. This library's own settings (dataset,
 * teacher weights file, run directory, seed, threads, workers, augmentation, teacher-logit cache, hazard policy) live
 * in one separate section, {@code DTKD4J}, which the reference does not know.
 */
package org.dtkd4j.examples.config;
