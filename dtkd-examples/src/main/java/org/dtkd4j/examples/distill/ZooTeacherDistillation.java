package org.dtkd4j.examples.distill;

import org.dtkd4j.core.data.TrainTestSplit;
import org.dtkd4j.core.teacher.Teacher;
import org.dtkd4j.zoo.CifarZoo;
import org.dtkd4j.zoo.teacher.Teachers;

import java.nio.file.Path;

/**
 * Distills a {@link CifarZoo} teacher trained in PyTorch into a zoo student, with the training engine.
 *
 * <p>The teacher comes as the ONNX file {@code torch.onnx.export} wrote for a model of the reference's
 * {@code cifar_model_dict}; {@link Teachers#zooFromOnnx(String, Path)} builds the native DL4J zoo graph and copies
 * the PyTorch weights into it by name (faster and exact, compared with importing the ONNX graph). Then
 * {@link org.dtkd4j.core.engine.Distiller} trains the student with the reference recipe and writes a run directory
 * (see {@link EngineRun}).
 *
 * <pre>
 * java -cp ... org.dtkd4j.examples.distill.ZooTeacherDistillation --data /data/cifar-100-binary \
 *     --teacher-onnx resnet32x4.onnx --student resnet8x4 --method DTKD --epochs 240
 * </pre>
 * Prints one line: the teacher's and the student's test top-1. Progress goes to standard error, the engine's epoch
 * lines to standard output.
 */
public final class ZooTeacherDistillation {

    private ZooTeacherDistillation() {
    }

    /** @return the options of this example */
    static ExampleArgs arguments() {
        return EngineRun.declare(new ExampleArgs("ZooTeacherDistillation",
                "Distill a zoo teacher with PyTorch weights (ONNX export) into a zoo student.")
                .required("--teacher-onnx", Path.class, "FILE", "ONNX export of the teacher's PyTorch model")
                .optional("--teacher-model", String.class, "MODEL", null,
                        "the teacher's CifarZoo name (default: the ONNX file's base name)"));
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
        Path onnx = parsed.get("--teacher-onnx");
        String teacherModel = parsed.get("--teacher-model");
        if (teacherModel == null) {
            String file = onnx.getFileName().toString();
            teacherModel = file.endsWith(".onnx") ? file.substring(0, file.length() - ".onnx".length()) : file;
        }
        if (!CifarZoo.names().contains(teacherModel)) {
            throw new IllegalArgumentException("--teacher-model must be one of " + CifarZoo.names() + ", found "
                    + teacherModel);
        }
        TrainTestSplit data = engine.loadData();
        try (Teacher teacher = Teachers.zooFromOnnx(teacherModel, onnx)) {
            return engine.distill(teacher, data);
        }
    }

    /** @param args the options of {@link #arguments()}; {@code --help} lists them */
    public static void main(String[] args) {
        ExampleArgs.main(args, arguments(), ZooTeacherDistillation::run);
    }
}
