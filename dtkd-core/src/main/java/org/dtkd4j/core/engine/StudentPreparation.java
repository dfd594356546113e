package org.dtkd4j.core.engine;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.dtkd4j.core.config.DistillationConfig;
import org.dtkd4j.core.data.TrainTestSplit;
import org.dtkd4j.core.dl4j.DistillationListener;
import org.dtkd4j.core.dl4j.DistillationLossFunction;
import org.dtkd4j.core.optim.LearningRates;
import org.dtkd4j.core.optim.SgdMomentum;
import org.dtkd4j.core.optim.TorchBatchNorm;
import org.dtkd4j.core.optim.TorchWeightDecay;
import org.dtkd4j.core.perf.ForwardCache;
import org.dtkd4j.core.perf.FusedBatchNorm;
import org.dtkd4j.core.perf.GraphKernels;
import org.dtkd4j.core.perf.MaskReLU;
import org.dtkd4j.core.perf.ResidualAdd;
import org.dtkd4j.core.teacher.Teacher;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.learning.config.IUpdater;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What is done to the student, and checked of the teacher and data, before {@link Distiller} trains:
 * <ul>
 *   <li>{@link #checkCompatible}: the method has a teacher exactly when it uses one, the teacher has the data's
 *   classes, and a resumed run gets the data it was trained on;</li>
 *   <li>{@link #prepare}: a copy of the student whose single output layer computes the distillation loss
 *   ({@link DistillationLossFunction}, identity activation on the logits) and whose layers step with
 *   {@link SgdMomentum} on the recipe's multi-step schedule, DL4J regularization removed (weight decay is
 *   {@link TorchWeightDecay}'s, PyTorch semantics);</li>
 *   <li>{@link #attach}: the engine's listeners ({@link #listeners}), the convolution activation cache
 *   ({@link ForwardCache}) and the fused BatchNorm ({@link FusedBatchNorm}) on the prepared or restored student, whose
 *   distillation loss it returns.</li>
 * </ul>
 */
final class StudentPreparation {

    private StudentPreparation() {
    }

    /**
     * Checks that teacher, method and data fit together.
     *
     * @param loss    the run's loss
     * @param teacher the teacher, null for none
     * @param data    the data
     * @param config  the configuration of the run being resumed, or null for a new run
     * @throws IllegalArgumentException naming the mismatch
     */
    static void checkCompatible(DistillationConfig loss, Teacher teacher, TrainTestSplit data,
                                Distiller.RunConfig config) {
        if (loss.method().usesTeacher() && teacher == null) {
            throw new IllegalArgumentException("method " + loss.method() + " needs a teacher, found none");
        }
        if (!loss.method().usesTeacher() && teacher != null) {
            throw new IllegalArgumentException("method " + loss.method() + " trains without a teacher, found "
                    + teacher.describe());
        }
        int classes = data.train().numClasses();
        if (teacher != null && teacher.numClasses() != classes) {
            throw new IllegalArgumentException("teacher " + teacher.describe() + " has " + teacher.numClasses()
                    + " classes, the data " + data.train().name() + " has " + classes);
        }
        if (config != null && (!config.trainData().equals(data.train().name()) || config.trainSize() != data.train().size()
                || config.testSize() != data.test().size())) {
            throw new IllegalArgumentException("the run was trained on " + config.trainData() + " (" + config.trainSize()
                    + " train / " + config.testSize() + " test images), found " + data.train().name() + " ("
                    + data.train().size() + " / " + data.test().size() + ")");
        }
    }

    /**
     * The student prepared for distillation: a copy of the given graph (same parameters) whose single output layer
     * computes the distillation loss on its logits (activation set to identity), and whose layers use
     * {@link SgdMomentum} with the recipe's schedule. DL4J regularization on the copy is removed: weight decay is
     * {@link TorchWeightDecay}'s.
     *
     * @throws IllegalArgumentException if the student has not exactly one output, or its output is not an
     *                                  OutputLayer/LossLayer, or has not {@code numClasses} outputs
     */
    static ComputationGraph prepare(ComputationGraph student, DistillationConfig loss, TrainingRecipe recipe,
                                    int numClasses) {
        ComputationGraphConfiguration conf = student.getConfiguration().clone();
        List<String> outputs = conf.getNetworkOutputs();
        if (outputs.size() != 1) {
            throw new IllegalArgumentException("the student must have exactly one output, found " + outputs);
        }
        IUpdater updater = new SgdMomentum(LearningRates.multiStep(recipe.learningRate(), recipe.lrMilestones(),
                recipe.lrDecay()), recipe.momentum());
        for (Map.Entry<String, GraphVertex> v : conf.getVertices().entrySet()) {
            if (v.getValue() instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof BaseLayer bl) {
                bl.setIUpdater(updater.clone());
                bl.setBiasUpdater(null);
                bl.setRegularization(new ArrayList<>());
                bl.setRegularizationBias(new ArrayList<>());
            }
        }
        GraphVertex out = conf.getVertices().get(outputs.get(0));
        Layer layer = out instanceof LayerVertex lv ? lv.getLayerConf().getLayer() : null;
        if (layer instanceof BaseOutputLayer o) {
            if (o.getNOut() != numClasses) {
                throw new IllegalArgumentException("the student's output '" + outputs.get(0) + "' has " + o.getNOut()
                        + " classes, the data has " + numClasses);
            }
            o.setLossFn(DistillationLossFunction.of(loss));
            o.setActivationFn(new ActivationIdentity());
        } else if (layer instanceof LossLayer l) {
            l.setLossFn(DistillationLossFunction.of(loss));
            l.setActivationFn(new ActivationIdentity());
        } else {
            throw new IllegalArgumentException("the student's output '" + outputs.get(0) + "' must be an OutputLayer "
                    + "or LossLayer, found " + (layer == null ? out.getClass().getSimpleName()
                    : layer.getClass().getSimpleName()));
        }
        ComputationGraph prepared = new ComputationGraph(conf);
        prepared.init(student.params(), true);
        return prepared;
    }

    /**
     * Readies a prepared (or restored) student for the engine: sets the convolution activation cache, the engine's
     * training kernels ({@link GraphKernels}: {@link MaskReLU} in place of its ReLU activation layers and
     * {@link ResidualAdd} in place of its sums, DL4J's numbers, and {@link FusedBatchNorm} when asked) and the engine's {@link #listeners}.
     *
     * @param student              the student, with a {@link DistillationLossFunction} output
     * @param cacheConvActivations whether training forward passes keep the convolutions' activations
     * @param fusedBatchNorm       whether the BatchNorm layers run {@link FusedBatchNorm}
     * @param listeners            the listeners to set
     * @return the student's distillation loss
     * @throws IllegalArgumentException if the student has not exactly one {@link DistillationLossFunction} output
     */
    static DistillationLossFunction attach(ComputationGraph student, boolean cacheConvActivations,
                                           boolean fusedBatchNorm, List<TrainingListener> listeners) {
        List<DistillationLossFunction> losses = DistillationListener.lossFunctions(student);
        if (losses.size() != 1) {
            throw new IllegalArgumentException("the student must have exactly one DistillationLossFunction output, "
                    + "found " + losses.size());
        }
        ForwardCache.apply(student, cacheConvActivations);
        GraphKernels.training(student, fusedBatchNorm);
        student.setListeners(listeners);
        return losses.get(0);
    }

    /**
     * The student's listeners, in order: the {@link DivergenceGuard} first, so that the statistics never count a
     * stopped step, then the epoch statistics, the {@link DistillationListener} (epoch and warmup factor of the
     * loss), {@link TorchWeightDecay} and {@link TorchBatchNorm}. Fresh instances on every call (the parallel
     * wrapper and an {@link EpochTrainer} take them), except the shared statistics.
     *
     * @param recipe the recipe (its weight decay)
     * @param stats  the epoch statistics
     * @return the listeners
     */
    static List<TrainingListener> listeners(TrainingRecipe recipe, EpochStatsListener stats) {
        return List.of(new DivergenceGuard(), stats, new DistillationListener(),
                new TorchWeightDecay(recipe.weightDecay()), new TorchBatchNorm());
    }
}
