package org.dtkd4j.zoo.onnx;

import onnx.Onnx;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The input and output of a classifier exported to ONNX: one input {@code [N, ...]} and one output
 * {@code [N, classes]} with a static number of classes.
 *
 * @param input        name of the graph input (initializers listed as inputs, as older exporters do, excluded)
 * @param exampleShape shape of one example, without the batch dimension; {@code -1} for a symbolic dimension
 * @param output       name of the graph output
 * @param numClasses   width of the output
 */
public record OnnxSignature(String input, List<Long> exampleShape, String output, int numClasses) {

    /** Makes the shape an unmodifiable copy. */
    public OnnxSignature {
        exampleShape = List.copyOf(exampleShape);
    }

    /**
     * Reads the signature of a model.
     *
     * @param model a parsed model
     * @param what  how to name the model in errors, e.g. {@code "ONNX file x.onnx"}
     * @return the signature
     * @throws IllegalArgumentException naming {@code what} if the graph has not exactly one input and one output, or
     *                                  the output is not {@code [N, classes]} with a static number of classes
     */
    public static OnnxSignature of(Onnx.ModelProto model, String what) {
        Onnx.GraphProto g = model.getGraph();
        Set<String> initializers = new HashSet<>();
        g.getInitializerList().forEach(t -> initializers.add(t.getName()));
        List<Onnx.ValueInfoProto> inputs = g.getInputList().stream()
                .filter(v -> !initializers.contains(v.getName())).toList();
        if (inputs.size() != 1 || g.getOutputCount() != 1) {
            throw new IllegalArgumentException(what + ": a classifier needs one input and one output, found inputs "
                    + inputs.stream().map(Onnx.ValueInfoProto::getName).toList() + " and outputs "
                    + g.getOutputList().stream().map(Onnx.ValueInfoProto::getName).toList());
        }
        long[] in = dims(inputs.get(0));
        Onnx.ValueInfoProto out = g.getOutput(0);
        long[] logits = dims(out);
        if (in.length < 2 || logits.length != 2 || logits[1] < 1) {
            throw new IllegalArgumentException(what + ": needs input [N, ...] and output [N, classes] with a static "
                    + "number of classes, found input '" + inputs.get(0).getName() + "' " + Arrays.toString(in)
                    + " and output '" + out.getName() + "' " + Arrays.toString(logits) + " (-1 = symbolic)");
        }
        return new OnnxSignature(inputs.get(0).getName(),
                Arrays.stream(in, 1, in.length).boxed().toList(), out.getName(), Math.toIntExact(logits[1]));
    }

    private static long[] dims(Onnx.ValueInfoProto v) {
        return v.getType().getTensorType().getShape().getDimList().stream()
                .mapToLong(d -> d.hasDimValue() && d.getDimValue() > 0 ? d.getDimValue() : -1).toArray();
    }
}
