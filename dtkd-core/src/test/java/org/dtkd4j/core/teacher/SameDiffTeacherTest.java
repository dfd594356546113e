package org.dtkd4j.core.teacher;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SameDiffTeacherTest {

    static final INDArray W = Nd4j.linspace(-1, 1, 15, DataType.DOUBLE).reshape(3, 5);
    static final INDArray B = Nd4j.createFromArray(0.1, -0.2, 0.3, 0.0, 0.5);

    /** logits = mean over the spatial dimensions, times W, plus b; probabilities = softmax(logits). */
    static SameDiff graph(CNN2DFormat format) {
        SameDiff sd = SameDiff.create();
        SDVariable in = format == CNN2DFormat.NCHW
                ? sd.placeHolder("in", DataType.DOUBLE, -1, 3, 4, 4)
                : sd.placeHolder("in", DataType.DOUBLE, -1, 4, 4, 3);
        SDVariable pooled = format == CNN2DFormat.NCHW ? in.mean(2, 3) : in.mean(1, 2);
        SDVariable logits = pooled.mmul(sd.constant("w", W)).add("logits", sd.constant("b", B));
        sd.nn().softmax("probabilities", logits);
        return sd;
    }

    static INDArray expected(INDArray nchw) {
        return nchw.mean(2, 3).mmul(W).addiRowVector(B);
    }

    static INDArray features(double scale) {
        return Nd4j.linspace(-scale, scale, 2 * 3 * 4 * 4, DataType.DOUBLE).reshape(2, 3, 4, 4);
    }

    @Test
    void computesTheNamedVariable() {
        SameDiffTeacher t = SameDiffTeacher.builder(graph(CNN2DFormat.NCHW)).output("logits").numClasses(5).build();
        assertThat(t.numClasses()).isEqualTo(5);
        assertThat(t.describe()).isEqualTo("SameDiff teacher (5 classes)");
        INDArray x = features(1);
        assertThat(t.logits(x).sub(expected(x)).amaxNumber().doubleValue()).isLessThan(1e-15);
    }

    @Test
    void nhwcPlaceholdersReceivePermutedFeatures() {
        SameDiffTeacher t = SameDiffTeacher.builder(graph(CNN2DFormat.NHWC)).input("in").output("logits")
                .inputFormat(CNN2DFormat.NHWC).numClasses(5).description("NHWC teacher").build();
        INDArray x = Nd4j.rand(DataType.DOUBLE, 2, 3, 4, 4);
        assertThat(t.logits(x).sub(expected(x)).amaxNumber().doubleValue()).isLessThan(1e-15);
        assertThatThrownBy(() -> t.logits(Nd4j.rand(DataType.DOUBLE, 2, 4, 4, 3)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("NHWC teacher: input of shape [2, 4, 4, 3] does not fit the model's input [-1, 3, 4, 4] "
                        + "(DL4J layout, -1 = any size)");
    }

    @Test
    void wrongInputShapesAndLogitWidthsNameBothShapes() {
        SameDiffTeacher t = SameDiffTeacher.builder(graph(CNN2DFormat.NCHW)).output("logits").numClasses(5).build();
        assertThatThrownBy(() -> t.logits(Nd4j.rand(DataType.DOUBLE, 2, 3, 8, 8)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[2, 3, 8, 8]").hasMessageContaining("[-1, 3, 4, 4]");
        SameDiffTeacher wrongWidth = SameDiffTeacher.builder(graph(CNN2DFormat.NCHW)).output("logits").numClasses(7)
                .build();
        assertThatThrownBy(() -> wrongWidth.logits(features(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("SameDiff teacher: logits of shape [2, 5], expected [2, 7]");
    }

    @Test
    void resultsSurviveLaterCallsAndOpenWorkspaces() {
        SameDiffTeacher t = SameDiffTeacher.builder(graph(CNN2DFormat.NCHW)).output("logits").numClasses(5).build();
        INDArray first = t.logits(features(1));
        INDArray copy = first.dup();
        INDArray second = t.logits(features(2));
        assertThat(second).isNotEqualTo(copy);
        assertThat(first).isEqualTo(copy);

        INDArray inside;
        WorkspaceConfiguration conf = WorkspaceConfiguration.builder().initialSize(1 << 20).build();
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().getAndActivateWorkspace(conf, "CALLER_WS")) {
            inside = t.logits(features(1));
        }
        assertThat(inside.isAttached()).isFalse();
        assertThat(inside).isEqualTo(copy);
    }

    @Test
    void repeatedCallsDoNotAccumulateSessionState() throws Exception {
        // DL4J's own session remembers every freed array id forever...
        SameDiff plain = graph(CNN2DFormat.NCHW);
        INDArray x = features(1);
        plain.outputSingle(java.util.Map.of("in", x), "logits");
        int plainAfterOne = freedIds(plain);
        for (int i = 0; i < 20; i++) {
            plain.outputSingle(java.util.Map.of("in", x), "logits");
        }
        assertThat(freedIds(plain)).isGreaterThanOrEqualTo(plainAfterOne + 20);

        // ...the teacher's session forgets them at each call
        SameDiff sd = graph(CNN2DFormat.NCHW);
        SameDiffTeacher t = SameDiffTeacher.builder(sd).output("logits").numClasses(5).build();
        t.logits(x);
        int afterOne = freedIds(sd);
        for (int i = 0; i < 20; i++) {
            t.logits(x);
        }
        assertThat(freedIds(sd)).isLessThanOrEqualTo(afterOne);
    }

    /** Size of the calling thread's InferenceSession.freedArrays (DL4J 1.0.0-M2.1 internals, read reflectively). */
    private static int freedIds(SameDiff sd) throws Exception {
        java.lang.reflect.Field f = org.nd4j.autodiff.samediff.internal.InferenceSession.class
                .getDeclaredField("freedArrays");
        f.setAccessible(true);
        return ((java.util.Set<?>) f.get(sd.getSessions().get(Thread.currentThread().getId()))).size();
    }

    @Test
    void theBuilderValidatesNamesAndClasses() {
        SameDiff sd = graph(CNN2DFormat.NCHW);
        assertThatThrownBy(() -> SameDiffTeacher.builder(sd).output("nope").numClasses(5).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("SameDiff teacher: output 'nope' is not a variable of the graph");
        assertThatThrownBy(() -> SameDiffTeacher.builder(sd).input("w").output("logits").numClasses(5).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("SameDiff teacher: input 'w' is not a placeholder of the graph, found placeholders [in]");
        SameDiff unknownWidth = SameDiff.create();
        SDVariable in = unknownWidth.placeHolder("x", DataType.DOUBLE, -1, -1);
        in.mul("y", 2.0);
        assertThatThrownBy(() -> SameDiffTeacher.builder(unknownWidth).output("y").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("SameDiff teacher: numClasses must be set to a positive number, found -1");
        assertThat(SameDiffTeacher.builder(unknownWidth).output("y").numClasses(3).build()
                .logits(Nd4j.ones(DataType.DOUBLE, 2, 3))).isEqualTo(Nd4j.ones(DataType.DOUBLE, 2, 3).muli(2));
    }
}
