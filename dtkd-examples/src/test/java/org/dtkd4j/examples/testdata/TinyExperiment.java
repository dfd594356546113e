package org.dtkd4j.examples.testdata;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The experiment YAML of command-line tests: a one-epoch DTKD run on {@link TinyFashionMnist} data. */
public final class TinyExperiment {

    private TinyExperiment() {
    }

    /**
     * Writes a one-epoch DTKD experiment on Fashion-MNIST with resnet8 as teacher and student (project {@code tiny},
     * tag {@code dtkd,res8,res8}, batch 64); the dataset directory, teacher and run directory are left to the command
     * line.
     *
     * @param file the YAML file to write
     * @return {@code file}
     */
    public static Path write(Path file) {
        try {
            Files.writeString(file, """
                    EXPERIMENT:
                      PROJECT: "tiny"
                      TAG: "dtkd,res8,res8"
                    DISTILLER:
                      TYPE: "DTKD"
                      TEACHER: "resnet8"
                      STUDENT: "resnet8"
                    SOLVER:
                      EPOCHS: 1
                      BATCH_SIZE: 64
                    DTKD4J:
                      DATASET_TYPE: "fashion-mnist"
                    """);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        return file;
    }
}
