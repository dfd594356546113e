package org.dtkd4j.examples.demo;

import org.dtkd4j.core.data.Datasets;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What {@link FashionDemo#run} trains and where it writes. {@link #defaults()} is the full demo ({@code dtkd demo});
 * {@link #quick()} is the same pipeline at a few seconds' size, for tests ({@code dtkd demo --quick}).
 *
 * @param outDir          directory of the run directories and the comparison plot
 * @param teacherEpochs   epochs of the teacher, &gt;= 1
 * @param studentEpochs   epochs of each student (NONE, KD, DTKD), &gt;= 1
 * @param trainPerClass   training images per class, {@code 1..}{@value DemoData#TRAIN_PER_CLASS}
 * @param testPerClass    test images per class, {@code 1..}{@value DemoData#TEST_PER_CLASS}
 * @param seed            seed of the weight initialisation, data order and augmentation (the same for all students)
 * @param fashionMnistDir where to look for Debian's full Fashion-MNIST files; the bundled subset is used without them
 */
public record DemoOptions(Path outDir, int teacherEpochs, int studentEpochs, int trainPerClass, int testPerClass,
                          long seed, Path fashionMnistDir) {

    /** Default output directory, relative to the working directory. */
    public static final Path DEFAULT_OUT = Path.of("runs", "demo");
    /** Default seed. */
    public static final long DEFAULT_SEED = 42;
    /** Teacher epochs of the full demo. */
    public static final int TEACHER_EPOCHS = 8;
    /** Student epochs of the full demo. */
    public static final int STUDENT_EPOCHS = 6;

    /** Validates every field; messages name the option and the value found. */
    public DemoOptions {
        Objects.requireNonNull(outDir, "outDir");
        Objects.requireNonNull(fashionMnistDir, "fashionMnistDir");
        atLeastOne("teacher epochs", teacherEpochs);
        atLeastOne("--epochs", studentEpochs);
        if (trainPerClass < 1 || trainPerClass > DemoData.TRAIN_PER_CLASS) {
            throw new IllegalArgumentException("training images per class must be in 1.." + DemoData.TRAIN_PER_CLASS
                    + ", found " + trainPerClass);
        }
        if (testPerClass < 1 || testPerClass > DemoData.TEST_PER_CLASS) {
            throw new IllegalArgumentException("test images per class must be in 1.." + DemoData.TEST_PER_CLASS
                    + ", found " + testPerClass);
        }
    }

    private static void atLeastOne(String what, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(what + " must be >= 1, found " + value);
        }
    }

    /**
     * @return the full demo: {@value #TEACHER_EPOCHS} teacher and {@value #STUDENT_EPOCHS} student epochs on
     *         {@value DemoData#TRAIN_PER_CLASS} / {@value DemoData#TEST_PER_CLASS} images per class, seed
     *         {@value #DEFAULT_SEED}, into {@code runs/demo}, reading {@link Datasets#FASHION_MNIST_DIR} if present
     */
    public static DemoOptions defaults() {
        return new DemoOptions(DEFAULT_OUT, TEACHER_EPOCHS, STUDENT_EPOCHS, DemoData.TRAIN_PER_CLASS,
                DemoData.TEST_PER_CLASS, DEFAULT_SEED, Datasets.FASHION_MNIST_DIR);
    }

    /** @return the pipeline at test size: 1 epoch each on 6 training and 6 test images per class (one batch each) */
    public static DemoOptions quick() {
        return new DemoOptions(DEFAULT_OUT, 1, 1, 6, 6, DEFAULT_SEED, Datasets.FASHION_MNIST_DIR);
    }

    /** @param v new value @return a copy with {@code outDir = v} */
    public DemoOptions withOutDir(Path v) {
        return new DemoOptions(v, teacherEpochs, studentEpochs, trainPerClass, testPerClass, seed, fashionMnistDir);
    }

    /** @param v new value @return a copy with {@code studentEpochs = v} */
    public DemoOptions withStudentEpochs(int v) {
        return new DemoOptions(outDir, teacherEpochs, v, trainPerClass, testPerClass, seed, fashionMnistDir);
    }

    /** @param v new value @return a copy with {@code seed = v} */
    public DemoOptions withSeed(long v) {
        return new DemoOptions(outDir, teacherEpochs, studentEpochs, trainPerClass, testPerClass, v, fashionMnistDir);
    }

    /** @param v new value @return a copy with {@code fashionMnistDir = v} */
    public DemoOptions withFashionMnistDir(Path v) {
        return new DemoOptions(outDir, teacherEpochs, studentEpochs, trainPerClass, testPerClass, seed, v);
    }
}
