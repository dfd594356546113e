package org.example.consumer;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dtkd4j.core.config.DtkdConfig;
import org.dtkd4j.core.dl4j.DistillationListener;
import org.dtkd4j.core.dl4j.DistillationLossFunction;
import org.dtkd4j.core.dl4j.TeacherLabels;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A user's own small DL4J graph trained one step with the DTKD loss on labels packed as [one-hot | teacher logits]. */
class CoreConsumerTest {

    private static final int CLASSES = 5;

    @Test
    void aDl4jGraphFitsOneStepWithTheDtkdLoss() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(7).updater(new Sgd(0.1))
                .graphBuilder().addInputs("image").setInputTypes(InputType.convolutional(8, 8, 3))
                .addLayer("conv", new ConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.IDENTITY).build(),
                        "image")
                .addLayer("bn", new BatchNormalization.Builder().activation(Activation.RELU).build(), "conv")
                .addLayer("pool", new GlobalPoolingLayer.Builder().build(), "bn")
                .addLayer("logits", new OutputLayer.Builder(DistillationLossFunction.of(DtkdConfig.defaults()))
                        .activation(Activation.IDENTITY).nOut(CLASSES).build(), "pool")
                .setOutputs("logits").build();
        ComputationGraph student = new ComputationGraph(conf);
        student.init();
        student.setListeners(new DistillationListener());

        INDArray images = Nd4j.rand(DataType.FLOAT, 6, 3, 8, 8);
        INDArray oneHot = Nd4j.zeros(DataType.FLOAT, 6, CLASSES);
        for (int i = 0; i < 6; i++) {
            oneHot.putScalar(i, i % CLASSES, 1f);
        }
        INDArray teacherLogits = Nd4j.rand(DataType.FLOAT, 6, CLASSES).muli(4);
        INDArray before = student.params().dup();

        student.fit(new DataSet(images, TeacherLabels.pack(oneHot, teacherLogits)));

        assertTrue(Double.isFinite(student.score()) && student.score() > 0, "score " + student.score());
        assertNotEquals(before, student.params(), "parameters after one step");
        assertEquals(CLASSES, student.outputSingle(images).size(1));
    }
}
