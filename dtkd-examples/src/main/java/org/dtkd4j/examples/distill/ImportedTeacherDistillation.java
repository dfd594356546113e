package org.dtkd4j.examples.distill;

import org.dtkd4j.core.data.TrainTestSplit;
import org.dtkd4j.core.teacher.Teacher;
import org.dtkd4j.zoo.teacher.Teachers;

import java.nio.file.Path;

/**
 * Distills an imported teacher of any architecture (an ONNX file, a Keras 2 {@code .h5}, or a DL4J
 * {@code ModelSerializer} zip) into a {@link org.dtkd4j.zoo.CifarZoo} student, with the training engine.
 *
 * <p>{@link Teachers#load(Path)} picks the importer by the file's extension: ONNX graphs run in SameDiff, Keras
 * models as DL4J graphs (NHWC inputs are permuted for the caller), and a softmax at the end of a model is dropped so
 * that the teacher gives logits. The teacher's input must be the data's ({@code [N, 3, 32, 32]}) and its classes the
 * data's. Then {@link org.dtkd4j.core.engine.Distiller} trains the student (see {@link EngineRun}).
 *
 * <pre>
 * java -cp ... org.dtkd4j.examples.distill.ImportedTeacherDistillation --data /data/cifar-10-batches-bin \
 *     --dataset cifar10 --teacher teacher.h5 --student resnet8 --method DTKD --epochs 240
 * </pre>
 * Prints one line: the teacher's and the student's test top-1.
 */
public final class ImportedTeacherDistillation {

    private ImportedTeacherDistillation() {
    }

    /** @return the options of this example */
    static ExampleArgs arguments() {
        return EngineRun.declare(new ExampleArgs("ImportedTeacherDistillation",
                "Distill an imported ONNX, Keras (.h5) or DL4J (.zip) teacher into a zoo student.")
                .required("--teacher", Path.class, "FILE", "the teacher: .onnx, .h5/.hdf5/.keras or .zip"));
    }

    /**
     * Runs the example.
     *
     * @param args the options of {@link #arguments()}
     * @return the teacher's and the student's test top-1
     * @throws IllegalArgumentException on bad usage or bad input, in one line naming it
     */
    public static DistillationResult run(String... args) {
        ExampleArgs parsed = arguments().parse(args);
        EngineRun engine = EngineRun.from(parsed);
        TrainTestSplit data = engine.loadData();
        try (Teacher teacher = Teachers.load(parsed.get("--teacher"))) {
            return engine.distill(teacher, data);
        }
    }

    /** @param args the options of {@link #arguments()}; {@code --help} lists them */
    public static void main(String[] args) {
        ExampleArgs.main(args, arguments(), ImportedTeacherDistillation::run);
    }
}
