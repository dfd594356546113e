package org.dtkd4j.core.teacher;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.InferenceSession;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A teacher backed by a {@link SameDiff} graph: the logits are the value of one named variable, computed from one
 * placeholder. ONNX imports ({@code dtkd-zoo}) are teachers of this kind.
 *
 * <p>The graph is executed with {@code SameDiff.outputSingle} (inference: no gradient, no parameter update, BatchNorm
 * on its running statistics), outside any workspace, so the logits are detached. The calling thread's inference
 * session is replaced by one that does not accumulate state from call to call (DL4J 1.0.0-M2.1's does; see
 * {@code ForgetfulSession} in the source), so a teacher called for every minibatch of a long training keeps a
 * constant footprint. Unlike {@link GraphTeacher}, the graph is used as given, not copied: nothing else should
 * modify or train it while the teacher is in use. Name the pre-softmax variable as the output if the graph ends in a
 * softmax.
 *
 * <p>The expected input is the placeholder's shape (a {@code -1} dimension accepts any size): a batch whose shape
 * cannot fit it is rejected before execution with both shapes in the message. Features always come in DL4J's NCHW
 * layout; for a graph whose image placeholder is NHWC, set {@link Builder#inputFormat(CNN2DFormat)} and the teacher
 * permutes the batch.
 */
public final class SameDiffTeacher implements Teacher {

    private final SameDiff graph;
    private final String input;
    private final String output;
    private final TeacherInput io;

    private SameDiffTeacher(SameDiff graph, String input, String output, TeacherInput io) {
        this.graph = graph;
        this.input = input;
        this.output = output;
        this.io = io;
    }

    /**
     * @param graph the graph computing the logits
     * @return a builder; {@link Builder#build()} validates the names against the graph
     */
    public static Builder builder(SameDiff graph) {
        return new Builder(Objects.requireNonNull(graph, "graph"));
    }

    @Override
    public INDArray logits(INDArray features) {
        graph.getSessions().compute(Thread.currentThread().getId(),
                (thread, session) -> session instanceof ForgetfulSession ? session : new ForgetfulSession(graph));
        return io.run(features, x -> graph.outputSingle(Map.of(input, x), output));
    }

    @Override
    public int numClasses() {
        return io.numClasses();
    }

    @Override
    public String describe() {
        return io.description() + " (" + io.numClasses() + " classes)";
    }

    /** @return the graph the teacher executes */
    public SameDiff graph() {
        return graph;
    }

    /**
     * SameDiff's inference session, minus a leak: in DL4J 1.0.0-M2.1, {@link InferenceSession} records the id of every
     * array it frees in a set ({@code freedArrays}) that it never clears, about 80 entries (5 kB of heap) per call for
     * an imported ResNet-8, so a teacher called every minibatch for hundreds of epochs would grow by hundreds of MB.
     * The set only guards against freeing an array twice within one execution (a reused array gets a new id), so this
     * session clears it at the start of each execution.
     */
    private static final class ForgetfulSession extends InferenceSession {

        ForgetfulSession(SameDiff graph) {
            super(graph);
        }

        @Override
        protected Map<String, INDArray> preprocessPlaceholders(Map<String, INDArray> placeholders, At at) {
            freedArrays.clear();
            return super.preprocessPlaceholders(placeholders, at);
        }
    }

    /** Builder of {@link SameDiffTeacher}. */
    public static final class Builder {
        private final SameDiff graph;
        private String input;
        private String output;
        private int numClasses = -1;
        private CNN2DFormat inputFormat = CNN2DFormat.NCHW;
        private String description = "SameDiff teacher";

        private Builder(SameDiff graph) {
            this.graph = graph;
        }

        /**
         * @param placeholder name of the placeholder fed with the features; optional if the graph has exactly one
         * @return this builder
         */
        public Builder input(String placeholder) {
            this.input = placeholder;
            return this;
        }

        /**
         * @param variable name of the variable holding the {@code [N, numClasses]} logits
         * @return this builder
         */
        public Builder output(String variable) {
            this.output = variable;
            return this;
        }

        /**
         * @param n the number of classes, the width of the logits (required: SameDiff does not know the shapes of
         *          computed variables before execution)
         * @return this builder
         */
        public Builder numClasses(int n) {
            this.numClasses = n;
            return this;
        }

        /**
         * @param format layout of the graph's image placeholder (default {@link CNN2DFormat#NCHW})
         * @return this builder
         */
        public Builder inputFormat(CNN2DFormat format) {
            this.inputFormat = Objects.requireNonNull(format, "format");
            return this;
        }

        /**
         * @param text the first part of {@link SameDiffTeacher#describe()}, e.g. {@code "ONNX teacher resnet8.onnx"}
         * @return this builder
         */
        public Builder description(String text) {
            this.description = Objects.requireNonNull(text, "text");
            return this;
        }

        /**
         * @return the teacher
         * @throws IllegalArgumentException if the input is not a placeholder of the graph, the output is not a
         *                                  variable of it, or the number of classes is not set
         */
        public SameDiffTeacher build() {
            List<String> placeholders = graph.inputs();
            String in = input;
            if (in == null) {
                if (placeholders.size() != 1) {
                    throw new IllegalArgumentException(description + ": name the input placeholder, the graph has "
                            + placeholders.size() + ": " + placeholders);
                }
                in = placeholders.get(0);
            }
            if (!graph.hasVariable(in) || !graph.getVariable(in).isPlaceHolder()) {
                throw new IllegalArgumentException(description + ": input '" + in + "' is not a placeholder of the "
                        + "graph, found placeholders " + placeholders);
            }
            if (output == null || !graph.hasVariable(output)) {
                throw new IllegalArgumentException(description + ": output '" + output
                        + "' is not a variable of the graph");
            }
            if (numClasses < 1) {
                throw new IllegalArgumentException(description + ": numClasses must be set to a positive number, found "
                        + numClasses);
            }
            return new SameDiffTeacher(graph, in, output,
                    new TeacherInput(description, numClasses, exampleShape(graph.getVariable(in)), inputFormat,
                            graph.getVariable(in).dataType()));
        }

        /** The placeholder's per-example shape in DL4J (NCHW) layout, or null if its shape is unknown. */
        private long[] exampleShape(SDVariable placeholder) {
            long[] s = placeholder.getShape();
            if (s == null || s.length < 2) {
                return null;
            }
            if (s.length == 4 && inputFormat == CNN2DFormat.NHWC) {
                return new long[]{s[3], s[1], s[2]};
            }
            return Arrays.copyOfRange(s, 1, s.length);
        }
    }
}
