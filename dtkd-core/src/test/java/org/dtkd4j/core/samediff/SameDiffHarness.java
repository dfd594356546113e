package org.dtkd4j.core.samediff;

import org.dtkd4j.core.config.DistillationConfig;
import org.dtkd4j.core.config.HazardPolicy;
import org.dtkd4j.core.loss.Term;
import org.dtkd4j.core.loss.golden.Outcome;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a loss in a fresh graph with placeholders {@code s}, {@code t}, {@code y}, {@code epoch}, and evaluates
 * every output and the gradient of every term and of the total with respect to the student logits placeholder.
 *
 * <p>SameDiff costs a fraction of a millisecond per op and execution, so one backward pass serves all gradients:
 * every row of a loss depends on its own inputs only, so the batch is stacked K times and the probe
 * {@code Σ_k Σ_rows w_k · per_sample_k} weights copy k's rows by {@code 1/N} for output k and 0 for the others;
 * copy k's rows of the gradient are the gradient of output k's batch mean. Under OFFICIAL, where some gradients are
 * NaN and {@code 0·NaN} would leak between outputs, each scalar output gets its own gradient function instead. (The
 * gradient of the scalar {@code total} node in the stacked case is compared with the closed form in
 * {@link SameDiffLossesTest}.)
 */
final class SameDiffHarness {

    /** Graphs by configuration, data type, label kind and class count: building and differentiating cost more than running. */
    private static final Map<List<Object>, SameDiffHarness> CACHE = new HashMap<>();

    final SameDiff sd = SameDiff.create();
    final LossVariables loss;
    private final boolean oneHotLabels;
    private final DataType dtype;
    private final List<String> differentiated = new ArrayList<>(List.of(LossVariables.TOTAL));
    private final List<Term> terms = new ArrayList<>();
    private Map<String, INDArray> placeholders;
    private int n;

    /** @return the (cached) harness for a configuration, data type, label kind and class count */
    static synchronized SameDiffHarness of(DistillationConfig config, DataType dtype, boolean oneHotLabels,
                                           int classes) {
        return CACHE.computeIfAbsent(List.of(config, dtype, oneHotLabels, classes),
                k -> new SameDiffHarness(config, dtype, oneHotLabels, classes));
    }

    SameDiffHarness(DistillationConfig config, DataType dtype, boolean oneHotLabels, int c) {
        this.dtype = dtype;
        this.oneHotLabels = oneHotLabels;
        SDVariable student = sd.placeHolder("s", dtype, -1, c);
        SDVariable teacher = sd.placeHolder("t", dtype, -1, c);
        SDVariable labels = oneHotLabels ? sd.placeHolder("y", dtype, -1, c) : sd.placeHolder("y", DataType.INT64, -1);
        SDVariable epochVar = sd.placeHolder("epoch", DataType.INT32);
        loss = SameDiffLosses.create(sd, "loss", student, teacher, labels, epochVar, config);
        for (Term term : Term.values()) {
            if (loss.outputNames().contains(term.outputName())) {
                terms.add(term);
                differentiated.add(term.outputName());
            }
        }
        if (config.hazardPolicy() != HazardPolicy.OFFICIAL) {
            SDVariable probe = null;
            for (int j = 0; j < differentiated.size(); j++) {
                SDVariable rows = loss.get(LossVariables.PER_SAMPLE + differentiated.get(j));
                SDVariable term = sd.placeHolder("w" + j, rows.dataType(), -1).mul(rows).sum();
                probe = probe == null ? term : probe.add(term);
            }
            sd.setLossVariables(probe.name());
            sd.createGradFunction("s");
        }
    }

    /** Sets the inputs of the next {@link #outcome()}. */
    SameDiffHarness inputs(double[][] s, double[][] t, int[] y, int epoch) {
        n = s.length;
        int c = s[0].length;
        placeholders = new HashMap<>();
        placeholders.put("s", Nd4j.createFromArray(s).castTo(dtype));
        placeholders.put("t", Nd4j.createFromArray(t).castTo(dtype));
        if (oneHotLabels) {
            INDArray oneHot = Nd4j.zeros(dtype, n, c);
            for (int i = 0; i < y.length; i++) {
                oneHot.putScalar(i, y[i], 1.0);
            }
            placeholders.put("y", oneHot);
        } else {
            long[] indices = new long[y.length];
            for (int i = 0; i < y.length; i++) {
                indices[i] = y[i];
            }
            placeholders.put("y", Nd4j.createFromArray(indices));
        }
        placeholders.put("epoch", Nd4j.scalar(epoch));
        return this;
    }

    Map<String, INDArray> placeholders() {
        return placeholders;
    }

    /** @return every output of the loss for the current inputs, by short name, after the input checks */
    Map<String, INDArray> outputs() {
        return loss.exec(placeholders);
    }

    /** Executes everything the golden comparison needs. */
    Outcome outcome() {
        Map<String, INDArray> out;
        Map<String, double[][]> grads;
        if (loss.config().hazardPolicy() == HazardPolicy.OFFICIAL) {
            out = loss.exec(placeholders);
            grads = new LinkedHashMap<>();
            for (String output : differentiated) {
                sd.setLossVariables(loss.get(output).name());
                sd.createGradFunction("s");
                grads.put(output, matrix(sd.calculateGradients(placeholders, "s").get("s")));
            }
        } else {
            grads = new LinkedHashMap<>();
            out = stackedOutputsAndGradients(grads);
        }
        Map<Term, Double> values = new LinkedHashMap<>();
        Map<Term, double[]> perSample = new LinkedHashMap<>();
        Map<Term, double[][]> gradients = new LinkedHashMap<>();
        for (Term term : terms) {
            values.put(term, out.get(term.outputName()).getDouble(0));
            perSample.put(term, rows(out.get(LossVariables.PER_SAMPLE + term.outputName())));
            gradients.put(term, grads.get(term.outputName()));
        }
        boolean temperatures = out.containsKey(LossVariables.T_STU);
        double[] none = new double[0];
        return new Outcome(out.get(LossVariables.TOTAL).getDouble(0), grads.get(LossVariables.TOTAL), values,
                perSample, gradients,
                temperatures ? rows(out.get(LossVariables.T_STU)) : none,
                temperatures ? rows(out.get(LossVariables.T_TEA)) : none,
                temperatures ? rows(out.get(LossVariables.STUDENT_MAX)) : none,
                temperatures ? rows(out.get(LossVariables.TEACHER_MAX)) : none,
                out.get(LossVariables.WARMUP_FACTOR).getDouble(0),
                temperatures ? Math.round(Arrays.stream(rows(out.get(LossVariables.GUARDED))).sum()) : 0);
    }

    /**
     * Every output of the batch (through {@link LossVariables#exec}, with its checks) and, in {@code grads}, the
     * gradient of each output's mean from one backward pass over the batch stacked K times.
     */
    private Map<String, INDArray> stackedOutputsAndGradients(Map<String, double[][]> grads) {
        List<String> outputs = differentiated;
        int k = outputs.size();
        Map<String, INDArray> stacked = new HashMap<>(placeholders);
        for (String name : List.of("s", "t", "y")) {
            INDArray[] copies = new INDArray[k];
            Arrays.fill(copies, placeholders.get(name));
            stacked.put(name, Nd4j.concat(0, copies));
        }
        for (int j = 0; j < k; j++) {
            INDArray w = Nd4j.zeros(dtype, (long) k * n);
            w.get(NDArrayIndex.interval((long) j * n, (long) (j + 1) * n)).assign(1.0 / n);
            stacked.put("w" + j, w);
        }
        Map<String, INDArray> out = loss.exec(placeholders);
        double[][] all = matrix(sd.calculateGradients(stacked, "s").get("s"));
        for (int j = 0; j < k; j++) {
            grads.put(outputs.get(j), Arrays.copyOfRange(all, j * n, (j + 1) * n));
        }
        return out;
    }

    /** @return the first N entries of a per-row output, in double precision */
    private double[] rows(INDArray x) {
        return Arrays.copyOf(x.castTo(DataType.DOUBLE).toDoubleVector(), n);
    }

    private static double[][] matrix(INDArray x) {
        return x.castTo(DataType.DOUBLE).toDoubleMatrix();
    }
}
