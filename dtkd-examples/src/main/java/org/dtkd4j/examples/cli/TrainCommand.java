package org.dtkd4j.examples.cli;

import org.dtkd4j.core.config.Method;
import org.dtkd4j.examples.config.ExperimentConfig;
import picocli.CommandLine.Command;

import java.util.List;

/**
 * {@code dtkd train}: trains {@code DISTILLER.STUDENT} alone, with cross-entropy ({@code DISTILLER.TYPE} is set to
 * {@code NONE} whatever the file says), e.g. a teacher before distillation or a student baseline.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train one model alone (cross-entropy, DISTILLER.TYPE NONE): DISTILLER.STUDENT of the config, "
                + "e.g. a teacher (override DISTILLER.STUDENT resnet32x4) or a student baseline.",
                "The run directory gets config.json, experiment.yaml, metrics.csv, summary.json, train.log, "
                        + "checkpoints/ (latest.zip, best.zip) and the plots."},
        footer = {"", "Example: dtkd train --cfg configs/cifar100/dtkd/res32x4_res8x4.yaml DISTILLER.STUDENT "
                + "resnet32x4 DTKD4J.DATASET_DIR data/cifar-100-binary DTKD4J.RUN_DIR output/teacher_res32x4"})
final class TrainCommand extends RunCommand {

    @Override
    boolean distills() {
        return false;
    }

    @Override
    protected ExperimentConfig adapt(ExperimentConfig cfg) {
        return cfg.method() == Method.NONE ? cfg : cfg.withOverrides(List.of("DISTILLER.TYPE", "NONE"));
    }
}
