package org.dtkd4j.core.samediff;

import org.dtkd4j.core.config.HazardPolicy;
import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Checks a loss's input values whenever SameDiff computes them: once the copies {@code <name>/student_logits},
 * {@code <name>/teacher_logits} and {@code <name>/labels} of one execution are all available, it runs
 * {@link LossVariables#check(java.util.Map)}'s validation and STRICT policy, throwing from inside {@code output},
 * {@code calculateGradients} or {@code fit}. Under any policy but OFFICIAL it also rejects a non-finite
 * {@code <name>/total}, which valid inputs only produce when the logits divided by a tiny temperature leave the
 * data type's range.
 */
public final class InputCheckListener extends BaseListener {

    private final LossVariables loss;
    private final String studentName;
    private final String teacherName;
    private final String labelsName;
    private final String totalName;
    private INDArray student;
    private INDArray teacher;
    private INDArray labels;

    InputCheckListener(LossVariables loss) {
        this.loss = loss;
        this.studentName = loss.get(LossVariables.STUDENT_LOGITS).name();
        this.teacherName = loss.outputNames().contains(LossVariables.TEACHER_LOGITS)
                ? loss.get(LossVariables.TEACHER_LOGITS).name() : null;
        this.labelsName = loss.get(LossVariables.LABELS).name();
        this.totalName = loss.total().name();
    }

    @Override
    public boolean isActive(Operation operation) {
        return true;
    }

    @Override
    public void activationAvailable(SameDiff sd, At at, MultiDataSet batch, SameDiffOp op, String varName,
                                    INDArray activation) {
        if (varName.equals(studentName)) {
            student = copy(activation);
        } else if (varName.equals(teacherName)) {
            teacher = copy(activation);
        } else if (varName.equals(labelsName)) {
            labels = copy(activation);
        } else if (varName.equals(totalName)) {
            requireFinite(activation);
            return;
        } else {
            return;
        }
        if (student != null && labels != null && (teacher != null || teacherName == null)) {
            try {
                loss.check(student, teacher, labels);
            } finally {
                student = null;
                teacher = null;
                labels = null;
            }
        }
    }

    private void requireFinite(INDArray total) {
        double value = total.getDouble(0);
        if (!Double.isFinite(value) && loss.config().hazardPolicy() != HazardPolicy.OFFICIAL) {
            throw new ArithmeticException(totalName + " is " + value + " under " + loss.config().hazardPolicy()
                    + " with valid inputs: the logits divided by the temperature exceed the range of "
                    + total.dataType());
        }
    }

    /** A copy outside any workspace: SameDiff may reuse the activation's memory before the check runs. */
    private static INDArray copy(INDArray activation) {
        MemoryWorkspace outside = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces();
        try {
            return activation.dup();
        } finally {
            outside.close();
        }
    }
}
