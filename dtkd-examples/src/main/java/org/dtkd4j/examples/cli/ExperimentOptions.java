package org.dtkd4j.examples.cli;

import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The experiment options shared by {@code train}, {@code distill} and {@code eval}: a config file, shortcut options
 * that each set one config key, and {@code KEY VALUE} overrides, merged in that order (see {@link RunSetup#config}).
 */
final class ExperimentOptions {

    @Option(names = "--cfg", paramLabel = "FILE",
            description = "experiment YAML in the reference's schema, e.g. configs/cifar100/dtkd/res56_res20.yaml")
    Path cfg;

    @Option(names = "--dataset-type", paramLabel = "TYPE",
            description = "sets DTKD4J.DATASET_TYPE: cifar10, cifar100, fashion-mnist (1x28x28) or fashion-mnist-32 "
                    + "(3x32x32: padded by 2, replicated to 3 channels, for the CIFAR models)")
    String datasetType;

    @Option(names = "--dataset-dir", paramLabel = "DIR",
            description = "sets DTKD4J.DATASET_DIR: the directory of the dataset files (default for fashion-mnist "
                    + "and fashion-mnist-32: /usr/share/datasets/fashion-mnist)")
    String datasetDir;

    @Parameters(paramLabel = "KEY VALUE", description = "config overrides as in the reference's train.py, "
            + "e.g. SOLVER.EPOCHS 10 DTKD4J.SEED 1; applied after the file and the options")
    List<String> overrides = new ArrayList<>();

    /** @return the shortcut options given, as {@code KEY VALUE} pairs */
    List<String> shortcuts() {
        List<String> pairs = new ArrayList<>();
        RunSetup.addIfSet(pairs, "DTKD4J.DATASET_TYPE", datasetType);
        RunSetup.addIfSet(pairs, "DTKD4J.DATASET_DIR", datasetDir);
        return pairs;
    }
}
