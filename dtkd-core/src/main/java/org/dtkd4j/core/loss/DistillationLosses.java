package org.dtkd4j.core.loss;

import org.dtkd4j.core.config.DistillationConfig;
import org.dtkd4j.core.config.HazardPolicy;

/**
 * The closed-form losses in plain double arithmetic: one entry point for every {@link DistillationConfig}, giving
 * the loss, its terms, per-sample values, temperatures and the gradient with respect to the student logits.
 *
 * <p>The formulas are those of each config's javadoc, with the details of the official PyTorch code
 * (JinYu1998/DTKD, mdistiller) that change the numbers: temperatures evaluated as {@code 2*ms}, {@code /(mt+ms)},
 * {@code *T}; the gradient of a row maximum goes to its first arg-max; KL uses {@code 0·log 0 = 0}; DKD suppresses
 * the target class by subtracting exactly 1000; the warmup factor multiplies only the distillation terms.
 * {@link HazardPolicy} decides what happens on degenerate rows.
 *
 * <p>References: Hinton, Vinyals &amp; Dean 2015, "Distilling the Knowledge in a Neural Network"; Zhao et al. 2022,
 * "Decoupled Knowledge Distillation"; Wei &amp; Bai 2024, "Dynamic Temperature Knowledge Distillation",
 * arXiv:2404.12711.
 */
public final class DistillationLosses {

    private DistillationLosses() {
    }

    /**
     * Evaluates a loss on one batch; a batch of at least 65,536 logits is split by rows across the common fork-join
     * pool, with the same results as on one thread.
     *
     * @param config  the loss and its hyper-parameters
     * @param student student logits {@code [N][C]}, finite, {@code C >= 2}
     * @param teacher teacher logits {@code [N][C]}, finite; ignored (may be {@code null}) for the cross-entropy-only
     *                {@code CeConfig}
     * @param targets target classes {@code [N]}, each in {@code [0, C)}
     * @param epoch   reference epoch ({@code >= 0}, 1 for the first training epoch) for the warmup factor
     * @return the loss, its terms and gradients
     * @throws IllegalArgumentException on invalid inputs, naming the input and what was found
     * @throws HazardException          under {@link HazardPolicy#STRICT}, on the first hazardous row; under any
     *                                  policy but OFFICIAL, on a row whose result is not finite (logits beyond the
     *                                  double range after division by the temperature)
     */
    public static LossResult evaluate(DistillationConfig config, double[][] student, double[][] teacher,
                                      int[] targets, int epoch) {
        if (config == null) {
            throw new IllegalArgumentException("config must not be null, found null");
        }
        LossInputs.validate(config.method(), student, teacher, targets);
        return evaluate(config, student, teacher, targets, epoch,
                RowTasks.forBatch(student.length, student[0].length));
    }

    /**
     * {@link #evaluate(DistillationConfig, double[][], double[][], int[], int)} of valid inputs with the rows split
     * as given; the result is the same for every split.
     */
    static LossResult evaluate(DistillationConfig config, double[][] student, double[][] teacher, int[] targets,
                               int epoch, RowTasks tasks) {
        ClosedForm builder = new ClosedForm(config, student, teacher, targets, config.warmupFactor(epoch), tasks);
        config.build(builder);
        LossResult result = builder.result();
        if (config.hazardPolicy() != HazardPolicy.OFFICIAL) {
            requireFinite(result, tasks);
        }
        return result;
    }

    /**
     * The last line of "never a silent NaN": with finite inputs and valid temperatures every value is finite unless
     * the logits divided by a (valid but tiny) temperature exceed the double range.
     */
    private static void requireFinite(LossResult r, RowTasks tasks) {
        int gradientRow = RowMath.firstNonFiniteRow(r.gradient(), tasks);
        int end = gradientRow < 0 ? r.perSampleTotal().length : gradientRow + 1;
        for (int i = 0; i < end; i++) {
            if (i == gradientRow || !Double.isFinite(r.perSampleTotal()[i])) {
                throw new HazardException(i, "row " + i + ": the loss or its gradient is not finite (per-sample loss "
                        + r.perSampleTotal()[i] + (r.studentTemperatures().length > 0 ? ", T_stu="
                        + r.studentTemperatures()[i] + ", T_tea=" + r.teacherTemperatures()[i] : "")
                        + "): the logits divided by the temperature exceed the double range");
            }
        }
    }

    /**
     * Validates a batch and applies {@link HazardPolicy#STRICT}: what an implementation that computes elsewhere
     * (e.g. a SameDiff graph) must check to behave like {@link #evaluate}. A STRICT loss is evaluated in closed form
     * (at epoch 0) for its hazard checks.
     *
     * @param config  the loss and its hyper-parameters
     * @param student student logits {@code [N][C]}
     * @param teacher teacher logits {@code [N][C]} (ignored for the cross-entropy-only {@code CeConfig})
     * @param targets target classes {@code [N]}
     * @throws IllegalArgumentException on invalid inputs, naming the input and what was found
     * @throws HazardException          under STRICT, on the first row {@link #evaluate} would reject
     */
    public static void check(DistillationConfig config, double[][] student, double[][] teacher, int[] targets) {
        if (config == null) {
            throw new IllegalArgumentException("config must not be null, found null");
        }
        LossInputs.validate(config.method(), student, teacher, targets);
        if (config.hazardPolicy() == HazardPolicy.STRICT) {
            evaluate(config, student, teacher, targets, 0);
        }
    }
}
