package org.dtkd4j.core.perf;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * A plain DL4J program that never touches a dtkd4j class: prints the class of its convolution layer's helper
 * ({@code null} when there is none). {@link FastKernelsAtStartupTest} runs it in a fresh JVM.
 */
public final class PlainDl4jNetwork {

    private PlainDl4jNetwork() {
    }

    /**
     * Builds and initializes a one-convolution network and prints its helper.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
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
    }
}
