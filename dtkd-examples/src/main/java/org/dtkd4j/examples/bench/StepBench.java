package org.dtkd4j.examples.bench;

import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dtkd4j.core.config.Method;
import org.dtkd4j.core.data.ImageDataset;
import org.dtkd4j.core.data.Normalization;
import org.dtkd4j.core.data.TrainTestSplit;
import org.dtkd4j.core.dl4j.DistillationListener;
import org.dtkd4j.core.dl4j.NativeSeed;
import org.dtkd4j.core.dl4j.TeacherLabelIterator;
import org.dtkd4j.core.engine.Distiller;
import org.dtkd4j.core.engine.Progress;
import org.dtkd4j.core.engine.TrainingRecipe;
import org.dtkd4j.core.teacher.GraphTeacher;
import org.dtkd4j.core.teacher.Teacher;
import org.dtkd4j.zoo.CifarZoo;
import org.dtkd4j.zoo.ZooSpec;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * One distillation step as {@link Distiller} runs it, on random CIFAR-shaped data ({@code 3×32×32}, standard normal
 * pixels, random labels; four batches used in turn): the student is the one a {@link Distiller} prepares (its output
 * layer computes {@code DistillationLossFunction}, {@code SgdMomentum} with the reference schedule, the engine's
 * listeners including {@code TorchWeightDecay} and the divergence guard), the minibatch comes through a
 * {@link TeacherLabelIterator} (teacher forward in inference mode, labels packed), and the step is
 * {@code student.fit(batch)}. {@link Method#NONE} trains on the plain labels, without teacher. Teacher inference
 * alone is {@link Teacher#logits} on one batch.
 *
 * <p>The engine's student preparation ({@code StudentPreparation.prepare}) is package-private, so the student is
 * obtained through the public path that calls it: {@link Distiller.Builder#build()} on a throw-away run directory (it writes {@code config.json} and a
 * log line there, before and outside any timing) and {@link Distiller#student()}.
 */
final class StepBench implements AutoCloseable {

    private static final int BATCHES = 4;

    private final BenchOptions options;
    private final Path runRoot;
    private final List<DataSet> batches = new ArrayList<>();
    private final TrainTestSplit data;

    StepBench(BenchOptions options) {
        this.options = options;
        NativeSeed.set(options.seed());
        for (int i = 0; i < BATCHES; i++) {
            INDArray x = Nd4j.randn(DataType.FLOAT, options.batch(), 3, 32, 32);
            INDArray y = Nd4j.zeros(DataType.FLOAT, options.batch(), options.classes());
            for (int r = 0; r < options.batch(); r++) {
                y.putScalar(r, (r * 31L + i * 7L) % options.classes(), 1.0);
            }
            batches.add(new DataSet(x, y));
        }
        // The engine validates the student and teacher against a dataset; it is not read by the steps measured here.
        int[] labels = new int[options.classes()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i;
        }
        ImageDataset images = ImageDataset.of("random", options.classes(), List.of(), 3, 32, 32,
                new byte[labels.length * 3 * 32 * 32], labels, Normalization.CIFAR100);
        this.data = new TrainTestSplit(images, images);
        try {
            this.runRoot = Files.createTempDirectory("dtkd-bench");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary directory: " + e.getMessage(), e);
        }
    }

    /** @return the zoo spec of the bench's models: its classes and seed, CIFAR input, float32, NCHW */
    ZooSpec spec() {
        return ZooSpec.builder().numClasses(options.classes()).seed(options.seed()).build();
    }

    /** @return a randomly initialised zoo model with the bench's classes and seed */
    ComputationGraph model(String name) {
        return CifarZoo.build(name, spec());
    }

    /**
     * @param name   a zoo model name
     * @param levers teacher levers: {@link Lever#BN_FOLD} folds its BatchNorm into its convolutions,
     *               {@link Lever#CHANNELS_LAST} builds it channels-last with the same parameters
     * @return a frozen teacher of the randomly initialised model (the same parameters whatever the levers); close it
     *     after the rows that use it
     */
    Teacher teacher(String name, Set<Lever> levers) {
        ComputationGraph graph = model(name);
        if (levers.contains(Lever.CHANNELS_LAST)) {
            graph = CifarZoo.channelsLast(name, spec(), graph.params());
        }
        return levers.contains(Lever.BN_FOLD) ? GraphTeacher.foldingBatchNorm(graph, name) : GraphTeacher.of(graph, name);
    }

    /**
     * @param pair     teacher and student
     * @param teachers the pair's teacher for no teacher lever (the empty set) and for each of
     *                 {@link Lever#teacherVariants}, shared by the step rows and the inference rows
     * @return one step row per {@link Method} (and per method and {@link Lever#stepVariants}, those with teacher
     *     levers on the teacher with those levers), then the teacher inference rows, each with what PyTorch computes
     *     for it
     */
    List<Rounds.Planned> rows(BenchOptions.ModelPair pair, Map<Set<Lever>, Teacher> teachers) {
        List<Rounds.Planned> rows = new ArrayList<>();
        Teacher base = teachers.get(Set.of());
        for (Method method : Method.values()) {
            TorchBench.Setup torch = TorchBench.Setup.step(pair, method.name());
            rows.add(new Rounds.Planned(step(torch.id(), "step " + pair + " " + method, pair, method, base,
                    Set.of()), torch));
            for (Set<Lever> variant : Lever.stepVariants(options.levers())) {
                String suffix = Lever.suffix(variant);
                rows.add(new Rounds.Planned(step(torch.id() + suffix, "step " + pair + " " + method + " " + suffix,
                        pair, method, teachers.get(Lever.teacherLevers(variant)), variant), torch));
            }
        }
        for (Map.Entry<Set<Lever>, Teacher> t : teachers.entrySet()) {
            TorchBench.Setup torch = TorchBench.Setup.infer(pair.teacher());
            String suffix = Lever.suffix(t.getKey());
            rows.add(new Rounds.Planned(inference(torch.id() + suffix, "teacher inference " + pair.teacher()
                    + (suffix.isEmpty() ? "" : " " + suffix), t.getValue()), torch));
        }
        return rows;
    }

    private Rounds.Row step(String id, String label, BenchOptions.ModelPair pair, Method method, Teacher teacher,
                            Set<Lever> levers) {
        return Rounds.dl4j(id, label, options.batch(), stepper(pair, method, teacher, levers));
    }

    /**
     * @param pair    teacher and student
     * @param method  the distillation method
     * @param teacher the pair's teacher (folded for {@link Lever#BN_FOLD}); unused by methods without a teacher
     * @param levers  the student levers
     * @return one distillation step of a freshly prepared student per call, on the random batches in turn
     */
    Runnable stepper(BenchOptions.ModelPair pair, Method method, Teacher teacher, Set<Lever> levers) {
        Teacher t = method.usesTeacher() ? teacher : null;
        ComputationGraph student = prepared(pair.student(), method, t, levers);
        DataSetIterator it = iterator(t);
        return () -> {
            if (!it.hasNext()) {
                it.reset();
            }
            student.fit(it.next());
        };
    }

    private Rounds.Row inference(String id, String label, Teacher teacher) {
        int[] k = {0};
        return Rounds.dl4j(id, label, options.batch(),
                () -> teacher.logits(batches.get(k[0]++ % BATCHES).getFeatures()));
    }

    /**
     * The student as the engine trains it, positioned at the first epoch.
     *
     * @param name    student model name
     * @param method  the distillation method
     * @param teacher the teacher, or {@code null} for {@link Method#NONE}
     * @param levers  the student levers applied ({@link Lever#CONV_CACHE}, {@link Lever#FUSED_BN}); without them the
     *                student trains on DL4J's own kernels and no activation cache
     * @return the prepared student
     */
    ComputationGraph prepared(String name, Method method, Teacher teacher, Set<Lever> levers) {
        Path dir;
        try {
            dir = Files.createTempDirectory(runRoot, name + "-" + method);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a run directory: " + e.getMessage(), e);
        }
        Distiller distiller = Distiller.builder().student(model(name)).studentName(name).teacher(teacher)
                .data(data).loss(method.defaultConfig()).cacheConvActivations(levers.contains(Lever.CONV_CACHE))
                .fusedBatchNorm(levers.contains(Lever.FUSED_BN))
                .recipe(TrainingRecipe.reference(name).withBatchSize(options.batch()))
                .runDirectory(dir)
                .progress(new Progress(new PrintStream(OutputStream.nullOutputStream()), false, 1e9, System::nanoTime))
                .console(new PrintStream(OutputStream.nullOutputStream())).build();
        ComputationGraph student = distiller.student();
        DistillationListener.synchronize(student);
        return student;
    }

    /**
     * The minibatches of the steps: the random batches in turn, one per {@code next()} (each of the options' batch
     * size; {@link ListDataSetIterator}'s batch argument counts list elements, not examples), with the teacher's
     * logits packed into the labels when there is a teacher.
     *
     * @param teacher the teacher, or {@code null} for plain one-hot labels
     * @return the iterator; reset it when it has no next batch
     */
    DataSetIterator iterator(Teacher teacher) {
        DataSetIterator base = new ListDataSetIterator<>(batches, 1);
        return teacher == null ? base : new TeacherLabelIterator(base, teacher);
    }

    /** @return the random batches the steps use in turn */
    List<DataSet> batches() {
        return Collections.unmodifiableList(batches);
    }

    /** Deletes the throw-away run directories. */
    @Override
    public void close() {
        try (Stream<Path> files = Files.walk(runRoot)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + runRoot + ": " + e.getMessage(), e);
        }
    }
}
