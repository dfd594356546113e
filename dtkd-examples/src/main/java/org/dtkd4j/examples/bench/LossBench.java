package org.dtkd4j.examples.bench;

import org.dtkd4j.core.config.DistillationConfig;
import org.dtkd4j.core.config.Method;
import org.dtkd4j.core.dl4j.DistillationLossFunction;
import org.dtkd4j.core.dl4j.TeacherLabels;
import org.dtkd4j.core.loss.DistillationLosses;
import org.dtkd4j.core.samediff.LossVariables;
import org.dtkd4j.core.samediff.SameDiffLosses;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.ResetPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Loss forward+backward (value and gradient with respect to the student logits) of KD, DTKD, DKD and DTKD+DKD with
 * their official defaults, at the reference epoch 1, on seeded random logits (student {@code 2·N(0,1)}, teacher
 * {@code 3·N(0,1)+1}, so no row is hazardous), in three implementations:
 * <ul>
 *   <li>{@code closed-form}: {@link DistillationLosses#evaluate} on {@code double[][]};</li>
 *   <li>{@code DL4J loss}: what a training step calls on float32 arrays with packed labels:
 *   {@link DistillationLossFunction#computeGradientAndScore}, then {@link DistillationLossFunction#computeScore} of the
 *   same batch (which reuses the evaluation), including the conversions to and from {@code double[][]}, inside a
 *   workspace configured as DL4J's per-layer working memory, where a network's backprop holds the loss gradient
 *   (a new array per step, in memory the workspace reuses); successive iterations alternate between two batches of
 *   student logits, so that no iteration reuses the previous one's evaluation;</li>
 *   <li>{@code SameDiff}: the graph of {@link SameDiffLosses#create} with placeholders, float32,
 *   {@code calculateGradients} for the student logits (includes the loss's input checks).</li>
 * </ul>
 */
final class LossBench {

    /** Methods whose losses are measured: every registered method with a teacher (NONE has no distillation loss). */
    static final List<Method> METHODS = Arrays.stream(Method.values()).filter(Method::usesTeacher).toList();
    /**
     * Where {@code ComputationGraph}'s backprop has the output layer compute its loss gradient: the per-layer working
     * memory, configured as DL4J configures it ({@code WS_LAYER_WORKING_MEM}; learnt from the first loop here).
     */
    static final WorkspaceConfiguration LAYER_WORKING_MEMORY = WorkspaceConfiguration.builder().initialSize(0)
            .overallocationLimit(0.02).policyLearning(LearningPolicy.FIRST_LOOP).policyReset(ResetPolicy.BLOCK_LEFT)
            .policySpill(SpillPolicy.REALLOCATE).policyAllocation(AllocationPolicy.OVERALLOCATE).build();
    /** Implementation names, as in the row labels and the last part of the row ids. */
    static final List<String> IMPLEMENTATIONS = List.of("closed-form", "DL4J loss", "SameDiff");

    private final BenchOptions options;

    LossBench(BenchOptions options) {
        this.options = options;
    }

    /**
     * @param size the input shape
     * @return one row per method and implementation, each with what PyTorch computes for it
     */
    List<Rounds.Planned> rows(BenchOptions.LossSize size) {
        Random r = new Random(options.seed());
        int n = size.n();
        int c = size.c();
        double[][] s = new double[n][c];
        double[][] t = new double[n][c];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = r.nextInt(c);
            for (int j = 0; j < c; j++) {
                s[i][j] = 2 * r.nextGaussian();
                t[i][j] = 3 * r.nextGaussian() + 1;
            }
        }
        INDArray sArr = Nd4j.createFromArray(s).castTo(DataType.FLOAT);
        // a second batch of the same distribution (student logits are symmetric about 0)
        INDArray[] stepInputs = {sArr, sArr.neg()};
        INDArray tArr = Nd4j.createFromArray(t).castTo(DataType.FLOAT);
        INDArray oneHot = Nd4j.zeros(DataType.FLOAT, n, c);
        long[] yIdx = new long[n];
        for (int i = 0; i < n; i++) {
            oneHot.putScalar(i, y[i], 1.0);
            yIdx[i] = y[i];
        }
        INDArray packed = TeacherLabels.pack(oneHot, tArr);
        Map<String, INDArray> placeholders = Map.of("s", sArr, "t", tArr, "y", Nd4j.createFromArray(yIdx),
                "epoch", Nd4j.scalar(1));
        List<Rounds.Planned> rows = new ArrayList<>();
        for (Method method : METHODS) {
            DistillationConfig config = method.defaultConfig();
            TorchBench.Setup torch = TorchBench.Setup.loss(method.name(), size);
            String id = torch.id() + "/";
            String label = "loss " + method + " " + size + " ";
            rows.add(new Rounds.Planned(Rounds.dl4j(id + "closed", label + IMPLEMENTATIONS.get(0), n,
                    () -> DistillationLosses.evaluate(config, s, t, y, 1)), torch));
            DistillationLossFunction loss = DistillationLossFunction.of(config);
            loss.setEpoch(1);
            ActivationIdentity identity = new ActivationIdentity();
            int[] calls = {0};
            rows.add(new Rounds.Planned(Rounds.dl4j(id + "dl4j", label + IMPLEMENTATIONS.get(1), n, () -> {
                INDArray logits = stepInputs[calls[0]++ % 2];
                try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager()
                        .getAndActivateWorkspace(LAYER_WORKING_MEMORY, "DTKD_BENCH_LOSS_WORKING_MEM")) {
                    loss.computeGradientAndScore(packed, logits, identity, null, true);
                    loss.computeScore(packed, logits, identity, null, true);
                }
            }), torch));
            SameDiff sd = gradientGraph(config, c);
            rows.add(new Rounds.Planned(Rounds.dl4j(id + "samediff", label + IMPLEMENTATIONS.get(2), n,
                    () -> sd.calculateGradients(placeholders, "s")), torch));
        }
        return rows;
    }

    /**
     * The loss graph with placeholders {@code s}, {@code t}, {@code y} (class indices), {@code epoch}, and its
     * gradient function for {@code s}. SameDiff prints a line per op while it builds gradients; that goes nowhere.
     */
    static SameDiff gradientGraph(DistillationConfig config, int c) {
        SameDiff sd = SameDiff.create();
        LossVariables loss = SameDiffLosses.create(sd, "loss", sd.placeHolder("s", DataType.FLOAT, -1, c),
                sd.placeHolder("t", DataType.FLOAT, -1, c), sd.placeHolder("y", DataType.INT64, -1),
                sd.placeHolder("epoch", DataType.INT32), config);
        sd.setLossVariables(loss.total().name());
        PrintStream out = System.out;
        System.setOut(new PrintStream(OutputStream.nullOutputStream()));
        try {
            sd.createGradFunction("s");
        } finally {
            System.setOut(out);
        }
        return sd;
    }
}
