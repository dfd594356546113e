package org.dtkd4j.core.perf;

import org.bytedeco.javacpp.Pointer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * A plain DL4J program that prints the class of its convolution layer's helper ({@code null} when there is none) and
 * JavaCPP's resident-set limit and ND4J's BLAS thread count.
 * Without arguments it never touches a dtkd4j class; with {@code enable} or {@code enableUnlessOptedOut} it first
 * calls that method of {@link FastKernels}. {@link FastKernelsOptInTest} runs it in fresh JVMs.
 */
public final class PlainDl4jNetwork {

    private PlainDl4jNetwork() {
    }

    /**
     * Optionally calls {@link FastKernels}, then builds and initializes a one-convolution network and prints its
     * helper.
     *
     * @param args nothing, {@code enable} or {@code enableUnlessOptedOut}
     */
    public static void main(String[] args) {
        if (args.length > 0) {
            switch (args[0]) {
                case "enable" -> FastKernels.enable();
                case "enableUnlessOptedOut" -> FastKernels.enableUnlessOptedOut();
                default -> throw new IllegalArgumentException("expected enable or enableUnlessOptedOut, found "
                        + args[0]);
            }
        }
        ComputationGraph net = new ComputationGraph(new NeuralNetConfiguration.Builder()
                .graphBuilder()
                .addInputs("in")
                .setInputTypes(InputType.convolutional(4, 4, 1))
                .addLayer("conv", new ConvolutionLayer.Builder(2, 2).nOut(2).build(), "in")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2)
                        .activation(Activation.SOFTMAX).build(), "conv")
                .setOutputs("out")
                .build());
        net.init();
        Object helper = net.getLayer("conv").getHelper();
        System.out.println("helper=" + (helper == null ? null : helper.getClass().getName()));
        System.out.println("maxPhysicalBytes=" + Pointer.maxPhysicalBytes());
        System.out.println("blasThreads=" + Nd4j.factory().blas().getMaxThreads());
    }
}
