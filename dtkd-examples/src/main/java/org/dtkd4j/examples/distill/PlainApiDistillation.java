package org.dtkd4j.examples.distill;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.deeplearning4j.util.ModelSerializer;
import org.dtkd4j.core.config.DtkdConfig;
import org.dtkd4j.core.config.Method;
import org.dtkd4j.core.data.ImageDataSetIterator;
import org.dtkd4j.core.data.ImageDataset;
import org.dtkd4j.core.data.TrainTestSplit;
import org.dtkd4j.core.dl4j.DistillationListener;
import org.dtkd4j.core.dl4j.DistillationLossFunction;
import org.dtkd4j.core.dl4j.TeacherLabelIterator;
import org.dtkd4j.core.engine.Progress;
import org.dtkd4j.core.teacher.GraphTeacher;
import org.dtkd4j.core.teacher.Teacher;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * DTKD with plain DL4J, without the training engine: a {@link ComputationGraph} teacher, a student graph whose
 * output layer computes the distillation loss, and {@code fit}.
 *
 * <ol>
 *   <li>The teacher: any trained DL4J graph ({@code --teacher model.zip}), or the 32-channel {@link #cnn} trained
 *   here for {@code --teacher-epochs} with softmax cross-entropy. {@link GraphTeacher} runs a frozen copy of it and
 *   hands out the logits before its softmax.</li>
 *   <li>The student: the 8-channel {@link #cnn} whose {@link OutputLayer} carries
 *   {@code DistillationLossFunction.of(DtkdConfig.defaults())} with the identity activation (the loss reads the
 *   logits), and a {@link DistillationListener} that keeps the loss's warmup epoch in step with training.</li>
 *   <li>{@code fit(new TeacherLabelIterator(train, teacher), epochs)}: each minibatch's labels become
 *   {@code [one-hot | teacher logits]}, the teacher running once per minibatch.</li>
 *   <li>Evaluation with a plain one-hot iterator: DL4J's evaluation does not read the packed labels.</li>
 * </ol>
 *
 * <pre>
 * java -cp ... org.dtkd4j.examples.distill.PlainApiDistillation --data /data/cifar-10-batches-bin --epochs 30
 * </pre>
 * Prints one line: the teacher's and the student's test top-1. Progress goes to standard error.
 */
public final class PlainApiDistillation {

    /** Width of the teacher's first convolution when the example trains it. */
    static final int TEACHER_WIDTH = 32;
    /** Width of the student's first convolution. */
    static final int STUDENT_WIDTH = 8;

    private PlainApiDistillation() {
    }

    /**
     * The example's options.
     *
     * @param data          directory of the CIFAR binary files
     * @param dataset       which CIFAR
     * @param teacher       a trained teacher graph ({@code ModelSerializer} zip), or null to train one
     * @param teacherEpochs epochs of teacher training when {@code teacher} is null
     * @param epochs        student epochs
     * @param batch         minibatch size
     */
    record Options(Path data, Cifar dataset, Path teacher, int teacherEpochs, int epochs, int batch) {

        /** Validates every component; messages name the option and the value found. */
        Options {
            if (data == null || dataset == null) {
                throw new IllegalArgumentException("--data and --dataset must be given, found " + data + ", "
                        + dataset);
            }
            if (teacher != null && !Files.isRegularFile(teacher)) {
                throw new IllegalArgumentException("--teacher must be a DL4J model zip, found no file " + teacher);
            }
            ExampleArgs.atLeast("--teacher-epochs", 1, teacherEpochs);
            ExampleArgs.atLeast("--epochs", 1, epochs);
            ExampleArgs.atLeast("--batch", 1, batch);
        }
    }

    /** @return the options of this example */
    static ExampleArgs arguments() {
        return new ExampleArgs("PlainApiDistillation",
                "Distill a DL4J ComputationGraph teacher into a small CNN with plain fit (no engine).")
                .required("--data", Path.class, "DIR", "directory of the CIFAR binary files")
                .optional("--dataset", String.class, "NAME", "cifar10", "cifar10 or cifar100")
                .optional("--teacher", Path.class, "ZIP", null,
                        "a trained DL4J ComputationGraph (ModelSerializer zip); default: train the 32-channel CNN")
                .optional("--teacher-epochs", Integer.class, "N", "10", "epochs of teacher training without --teacher")
                .optional("--epochs", Integer.class, "N", "10", "student epochs")
                .optional("--batch", Integer.class, "N", "64", "minibatch size");
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
        Options options = new Options(parsed.get("--data"), Cifar.parse(parsed.get("--dataset")),
                parsed.get("--teacher"), parsed.get("--teacher-epochs"), parsed.get("--epochs"), parsed.get("--batch"));
        TrainTestSplit data = options.dataset().load(options.data());
        int classes = data.train().numClasses();
        int batch = options.batch();
        int epochs = options.epochs();
        Progress progress = Progress.onStderr();
        ComputationGraph teacherNet = options.teacher() != null ? restore(options.teacher(), classes)
                : trainTeacher(data, options.teacherEpochs(), batch, progress);

        // teacherNet: any trained DL4J ComputationGraph; data: a TrainTestSplit, e.g. Datasets.cifar10(dir)
        Teacher teacher = GraphTeacher.of(teacherNet);                 // a frozen copy; logits before any softmax
        ComputationGraph student = new ComputationGraph(cnn(STUDENT_WIDTH, new OutputLayer.Builder(
                DistillationLossFunction.of(DtkdConfig.defaults()))    // DTKD: α=3, β=1, T=4, warmup 20, GUARDED
                .activation(Activation.IDENTITY).nOut(classes).build())); // the loss reads the logits
        student.init();
        student.setListeners(new DistillationListener());              // keeps the warmup epoch in step
        try (ImageDataSetIterator train = ImageDataSetIterator.training(data.train(), batch, 42L)) {
            student.addListeners(new EpochProgress(progress, "student", epochs, train.batchesPerEpoch()));
            student.fit(new TeacherLabelIterator(train, teacher), epochs); // labels [one-hot | teacher logits]
        }
        double studentTop1 = top1(student, data.test(), batch);
        double teacherTop1 = top1(teacherNet, data.test(), batch);
        return new DistillationResult(teacher.describe(), STUDENT_WIDTH + "-channel CNN", Method.DTKD, epochs,
                teacherTop1, studentTop1);
    }

    /** @param args the options of {@link #arguments()}; {@code --help} lists them */
    public static void main(String[] args) {
        ExampleArgs.main(args, arguments(), PlainApiDistillation::run);
    }

    /**
     * The test accuracy of a network, evaluated with plain one-hot labels. (DL4J's {@code net.evaluate(iterator)}
     * refuses an output layer with the identity activation, such as the student's.)
     *
     * @param net   a network with one output of logits or probabilities
     * @param test  the test split
     * @param batch minibatch size
     * @return top-1 accuracy
     */
    static double top1(ComputationGraph net, ImageDataset test, int batch) {
        Evaluation evaluation = new Evaluation();
        try (ImageDataSetIterator it = ImageDataSetIterator.evaluation(test, batch)) {
            while (it.hasNext()) {
                DataSet ds = it.next();                                // plain one-hot labels, not packed ones
                evaluation.eval(ds.getLabels(), net.outputSingle(false, ds.getFeatures())); // argmax of the logits
            }
        }
        return evaluation.accuracy();
    }

    /**
     * The example's CNN for 3x32x32 images: three blocks of 3x3 convolution, batch normalisation and ReLU (widths
     * {@code w}, {@code 2w}, {@code 4w}, the first two followed by 2x2 max pooling), global average pooling, and the
     * given output layer. Adam with learning rate 2e-3.
     *
     * @param width  channels of the first convolution
     * @param output the output layer, with {@code nOut} = classes
     * @return the configuration
     */
    static ComputationGraphConfiguration cnn(int width, OutputLayer output) {
        ComputationGraphConfiguration.GraphBuilder g = new NeuralNetConfiguration.Builder()
                .seed(12345).updater(new Adam(2e-3)).weightInit(WeightInit.RELU)
                .graphBuilder().addInputs("image").setInputTypes(InputType.convolutional(32, 32, 3));
        String in = "image";
        for (int block = 0; block < 3; block++) {
            g.addLayer("conv" + block, new ConvolutionLayer.Builder(3, 3).padding(1, 1).nOut(width << block)
                    .activation(Activation.IDENTITY).build(), in);
            g.addLayer("bn" + block, new BatchNormalization.Builder().activation(Activation.RELU).build(),
                    "conv" + block);
            in = "bn" + block;
            if (block < 2) {
                g.addLayer("pool" + block, new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2)
                        .stride(2, 2).build(), in);
                in = "pool" + block;
            }
        }
        g.addLayer("gap", new GlobalPoolingLayer(PoolingType.AVG), in);
        g.addLayer("logits", output, "gap");
        return g.setOutputs("logits").build();
    }

    private static ComputationGraph trainTeacher(TrainTestSplit data, int epochs, int batch, Progress progress) {
        ComputationGraph teacher = new ComputationGraph(cnn(TEACHER_WIDTH,
                new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                        .nOut(data.train().numClasses()).build()));
        teacher.init();
        try (ImageDataSetIterator train = ImageDataSetIterator.training(data.train(), batch, 7L)) {
            teacher.setListeners(new EpochProgress(progress, "teacher", epochs, train.batchesPerEpoch()));
            teacher.fit(train, epochs);
        }
        return teacher;
    }

    private static ComputationGraph restore(Path zip, int classes) {
        ComputationGraph graph;
        try {
            graph = ModelSerializer.restoreComputationGraph(zip.toFile(), false);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("--teacher must be a DL4J ComputationGraph zip, found " + zip
                    + " (" + e.getMessage() + ")", e);
        }
        int outputs;
        try (GraphTeacher probe = GraphTeacher.of(graph)) {
            outputs = probe.numClasses();
        }
        if (outputs != classes) {
            throw new IllegalArgumentException("--teacher must have " + classes + " outputs (the data's classes), "
                    + "found " + outputs + " in " + zip);
        }
        return graph;
    }

    /** Drives a {@link Progress} line per epoch of {@code fit}. */
    private static final class EpochProgress extends BaseTrainingListener {
        private final Progress progress;
        private final String who;
        private final int epochs;
        private final int batchesPerEpoch;
        private int epoch;

        EpochProgress(Progress progress, String who, int epochs, int batchesPerEpoch) {
            this.progress = progress;
            this.who = who;
            this.epochs = epochs;
            this.batchesPerEpoch = batchesPerEpoch;
        }

        @Override
        public void onEpochStart(Model model) {
            progress.start(String.format(Locale.ROOT, "%s epoch %d/%d", who, ++epoch, epochs), batchesPerEpoch);
        }

        @Override
        public void iterationDone(Model model, int iteration, int dl4jEpoch) {
            progress.step(1, model.batchSize());
        }

        @Override
        public void onEpochEnd(Model model) {
            progress.finish();
        }
    }
}
