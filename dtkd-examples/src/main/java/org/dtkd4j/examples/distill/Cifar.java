package org.dtkd4j.examples.distill;

import org.dtkd4j.core.data.Datasets;
import org.dtkd4j.core.data.TrainTestSplit;

import java.nio.file.Path;
import java.util.Locale;

/** The datasets the examples read: the binary versions of CIFAR-10 and CIFAR-100, never downloaded. */
enum Cifar {
    /** {@code data_batch_1.bin .. data_batch_5.bin}, {@code test_batch.bin}: 10 classes. */
    CIFAR10,
    /** {@code train.bin}, {@code test.bin}: 100 fine classes. */
    CIFAR100;

    /**
     * @param name {@code cifar10} or {@code cifar100}, any case
     * @return the dataset
     * @throws IllegalArgumentException for another name
     */
    static Cifar parse(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "cifar10" -> CIFAR10;
            case "cifar100" -> CIFAR100;
            default -> throw new IllegalArgumentException("--dataset must be cifar10 or cifar100, found " + name);
        };
    }

    /**
     * @param dir the directory of the binary files
     * @return the train and test splits
     * @throws IllegalArgumentException naming a missing directory or file, or a bad record
     */
    TrainTestSplit load(Path dir) {
        return this == CIFAR10 ? Datasets.cifar10(dir) : Datasets.cifar100(dir);
    }
}
