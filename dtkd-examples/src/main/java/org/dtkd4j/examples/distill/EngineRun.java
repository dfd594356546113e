package org.dtkd4j.examples.distill;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dtkd4j.core.config.Method;
import org.dtkd4j.core.data.TrainTestSplit;
import org.dtkd4j.core.engine.Distiller;
import org.dtkd4j.core.engine.Progress;
import org.dtkd4j.core.engine.RunSummary;
import org.dtkd4j.core.engine.TrainingRecipe;
import org.dtkd4j.core.teacher.Teacher;
import org.dtkd4j.zoo.CifarZoo;
import org.dtkd4j.zoo.ZooSpec;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * What the engine examples ({@link ZooTeacherDistillation}, {@link ImportedTeacherDistillation}) share once they
 * hold a teacher: the data, a {@link CifarZoo} student, and a {@link Distiller} run with the reference recipe.
 *
 * @param data          directory of the CIFAR binary files
 * @param dataset       which CIFAR
 * @param trainSize     train on a seeded random sample of this many training images; 0 for all
 * @param student       the student's {@link CifarZoo} name
 * @param method        the distillation method, with its official default parameters
 * @param epochs        training epochs (the reference's learning-rate steps stay at epochs 150, 180 and 210)
 * @param batchSize     minibatch size
 * @param runDirectory  where the engine writes config, metrics, checkpoints and the summary
 */
record EngineRun(Path data, Cifar dataset, int trainSize, String student, Method method, int epochs, int batchSize,
                 Path runDirectory) {

    /** Validates every component; messages name the option and the value found. */
    EngineRun {
        if (data == null || dataset == null || runDirectory == null) {
            throw new IllegalArgumentException("--data, --dataset and --run-dir must be given, found " + data + ", "
                    + dataset + ", " + runDirectory);
        }
        ExampleArgs.atLeast("--train-size", 0, trainSize);
        if (!CifarZoo.names().contains(student)) {
            throw new IllegalArgumentException("--student must be one of " + CifarZoo.names() + ", found " + student);
        }
        if (method == null || !method.usesTeacher()) {
            throw new IllegalArgumentException("--method must be a distillation method, found " + method);
        }
        ExampleArgs.atLeast("--epochs", 1, epochs);
        ExampleArgs.atLeast("--batch", 1, batchSize);
    }

    /**
     * Declares the shared options on an example's arguments.
     *
     * @param args the example's arguments, with its teacher options declared
     * @return {@code args}
     */
    static ExampleArgs declare(ExampleArgs args) {
        return args.required("--data", Path.class, "DIR", "directory of the CIFAR binary files")
                .optional("--dataset", String.class, "NAME", "cifar100", "cifar10 or cifar100")
                .optional("--train-size", Integer.class, "N", "0", "train on a random sample of N images; 0 = all")
                .optional("--student", String.class, "MODEL", "resnet8x4", "the student, a CifarZoo model name")
                .optional("--method", String.class, "METHOD", "DTKD", "a distillation method: " + String.join(", ",
                        Arrays.stream(Method.values()).filter(Method::usesTeacher).map(Method::name).toList()))
                .optional("--epochs", Integer.class, "N", "240", "training epochs")
                .optional("--batch", Integer.class, "N", "64", "minibatch size")
                .optional("--run-dir", Path.class, "DIR", null,
                        "run directory (default runs/<student>-<method>); must not hold a run yet");
    }

    /**
     * @param args parsed arguments declared with {@link #declare}
     * @return the validated options
     * @throws IllegalArgumentException naming the first bad option
     */
    static EngineRun from(ExampleArgs args) {
        String student = args.get("--student");
        Method method = method(args.get("--method"));
        Path runDir = args.get("--run-dir");
        return new EngineRun(args.get("--data"), Cifar.parse(args.get("--dataset")), args.get("--train-size"),
                student, method, args.get("--epochs"), args.get("--batch"),
                runDir != null ? runDir : Path.of("runs", student + "-" + method.name().toLowerCase(Locale.ROOT)));
    }

    private static Method method(String name) {
        String normalised = name.toUpperCase(Locale.ROOT).replace('+', '_').replace('-', '_');
        for (Method m : Method.values()) {
            if (m.usesTeacher() && m.name().equals(normalised)) {
                return m;
            }
        }
        throw new IllegalArgumentException("--method must be one of " + Arrays.stream(Method.values())
                .filter(Method::usesTeacher).toList() + ", found " + name);
    }

    /**
     * @return the train and test splits, the training split sampled to {@link #trainSize} images when it is set
     * @throws IllegalArgumentException naming a missing file, a bad record, or a sample larger than the split
     */
    TrainTestSplit loadData() {
        TrainTestSplit split = dataset.load(data);
        return trainSize == 0 ? split : new TrainTestSplit(split.train().sample(trainSize, 0L), split.test());
    }

    /**
     * Builds the student for the data's classes and distills the teacher into it.
     *
     * @param teacher the frozen teacher; its classes must be the data's
     * @param split   the data, from {@link #loadData()}
     * @return the teacher's and the student's test top-1 (the student's after the last epoch)
     * @throws IllegalArgumentException if the teacher does not fit the data or the run directory holds a run
     */
    DistillationResult distill(Teacher teacher, TrainTestSplit split) {
        ComputationGraph graph = CifarZoo.build(student, ZooSpec.builder()
                .numClasses(split.train().numClasses()).build());
        RunSummary summary = Distiller.builder()
                .student(graph).studentName(student).teacher(teacher).data(split)
                .loss(method.defaultConfig())
                .recipe(TrainingRecipe.reference(student).withEpochs(epochs).withBatchSize(batchSize))
                .runDirectory(runDirectory)
                .progress(Progress.onStderr())
                .build().run();
        return new DistillationResult(teacher.describe(), student, method, summary.epochs(), summary.teacherTop1(),
                summary.lastTop1());
    }
}
