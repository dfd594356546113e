package org.dtkd4j.core.teacher;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * What a teacher's model takes and gives, and the one code path every teacher runs a batch through: validate the
 * DL4J-layout features, convert them to the model's layout and data type, run the model outside any workspace, and
 * validate the logits.
 *
 * @param description  the teacher's one-line description, used in every error message
 * @param numClasses   width of the logits
 * @param exampleShape the shape of one example in DL4J layout ({@code [C, H, W]} or {@code [F]}), {@code -1} for a
 *                     dimension the model accepts at any size; null if unknown
 * @param modelFormat  layout of the model's image input ({@link CNN2DFormat#NHWC} makes the teacher permute
 *                     {@code [N, C, H, W]} features to {@code [N, H, W, C]}); ignored for inputs of rank other than 4
 * @param dataType     floating-point type the model computes in; features are cast to it
 */
record TeacherInput(String description, int numClasses, long[] exampleShape, CNN2DFormat modelFormat,
                    DataType dataType) {

    TeacherInput {
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(modelFormat, "modelFormat");
        Objects.requireNonNull(dataType, "dataType");
        if (numClasses < 1) {
            throw new IllegalArgumentException(description + ": number of classes must be positive, found "
                    + numClasses);
        }
        exampleShape = exampleShape == null ? null : exampleShape.clone();
    }

    /**
     * Runs one batch: checks the features against {@link #exampleShape}, converts them, applies {@code model} with
     * no workspace open, and checks that the result is {@code [N, numClasses]}.
     *
     * @param features feature batch in DL4J layout
     * @param model    the model's forward pass, in inference mode, on a batch in the model's layout and data type
     * @return the logits, detached from any workspace
     */
    INDArray run(INDArray features, UnaryOperator<INDArray> model) {
        Objects.requireNonNull(features, description + ": features");
        if (features.rank() < 2) {
            throw new IllegalArgumentException(description + ": features must be [N, ...] with N examples, found "
                    + "shape " + Arrays.toString(features.shape()));
        }
        if (exampleShape != null && !fits(features.shape())) {
            throw new IllegalArgumentException(description + ": input of shape " + Arrays.toString(features.shape())
                    + " does not fit the model's input " + expected() + " (DL4J layout, -1 = any size)");
        }
        long n = features.size(0);
        INDArray out;
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            INDArray x = features.castTo(dataType);
            if (x.rank() == 4 && modelFormat == CNN2DFormat.NHWC) {
                x = x.permute(0, 2, 3, 1).dup('c');
            }
            try {
                out = model.apply(x);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(description + ": the model failed on input of shape "
                        + Arrays.toString(features.shape()) + " (model input " + expected() + "): "
                        + firstLine(e.getMessage()), e);
            }
        }
        if (out.rank() != 2 || out.size(0) != n || out.size(1) != numClasses) {
            throw new IllegalArgumentException(description + ": logits of shape " + Arrays.toString(out.shape())
                    + ", expected [" + n + ", " + numClasses + "]");
        }
        return out.detach();
    }

    private boolean fits(long[] shape) {
        if (shape.length != exampleShape.length + 1) {
            return false;
        }
        for (int i = 0; i < exampleShape.length; i++) {
            if (exampleShape[i] >= 0 && exampleShape[i] != shape[i + 1]) {
                return false;
            }
        }
        return true;
    }

    private String expected() {
        if (exampleShape == null) {
            return "unknown";
        }
        long[] s = new long[exampleShape.length + 1];
        s[0] = -1;
        System.arraycopy(exampleShape, 0, s, 1, exampleShape.length);
        return Arrays.toString(s);
    }

    /** @return the first line of an exception message, for one-line errors */
    static String firstLine(String message) {
        if (message == null) {
            return "no message";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
