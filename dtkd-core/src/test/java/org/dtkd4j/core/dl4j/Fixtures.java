package org.dtkd4j.core.dl4j;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.dtkd4j.core.teacher.Teacher;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.ILossFunction;

/** Small networks, data and a linear teacher for the DL4J adapter tests. */
final class Fixtures {

    static final int FEATURES = 4;
    static final int CLASSES = 5;

    private Fixtures() {
    }

    /** Features → Dense(6, tanh) → OutputLayer(C, identity, loss). */
    static ComputationGraph graph(ILossFunction loss, IUpdater updater, DataType dtype, long seed) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(seed).dataType(dtype).updater(updater).weightInit(WeightInit.XAVIER)
                .graphBuilder()
                .addInputs("in")
                .addLayer("dense", new DenseLayer.Builder().nIn(FEATURES).nOut(6).activation(Activation.TANH)
                        .build(), "in")
                .addLayer("out", new OutputLayer.Builder(loss).nIn(6).nOut(CLASSES)
                        .activation(Activation.IDENTITY).build(), "dense")
                .setOutputs("out")
                .build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        return graph;
    }

    /** The same network as a MultiLayerNetwork. */
    static MultiLayerNetwork network(ILossFunction loss, IUpdater updater, DataType dtype, long seed) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(seed).dataType(dtype).updater(updater).weightInit(WeightInit.XAVIER)
                .list()
                .layer(new DenseLayer.Builder().nIn(FEATURES).nOut(6).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(loss).nIn(6).nOut(CLASSES).activation(Activation.IDENTITY).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /** {@code n} examples with random features and one-hot labels. */
    static DataSet data(int n, DataType dtype, long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray x = Nd4j.randn(dtype, n, FEATURES);
        INDArray y = Nd4j.zeros(dtype, n, CLASSES);
        for (int i = 0; i < n; i++) {
            y.putScalar(i, (i * 3 + 1) % CLASSES, 1.0);
        }
        return new DataSet(x, y);
    }

    /** A frozen teacher {@code logits = 2 + features · W}, counting its calls; positive maxima keep DTKD smooth. */
    static final class LinearTeacher implements Teacher {
        private final INDArray weights;
        int calls;
        INDArray lastFeatures;

        LinearTeacher(DataType dtype, long seed) {
            Nd4j.getRandom().setSeed(seed);
            weights = Nd4j.randn(dtype, FEATURES, CLASSES);
        }

        @Override
        public INDArray logits(INDArray features) {
            calls++;
            lastFeatures = features.dup();
            return features.castTo(weights.dataType()).mmul(weights).addi(2.0);
        }

        @Override
        public int numClasses() {
            return CLASSES;
        }

        @Override
        public String describe() {
            return "linear test teacher";
        }
    }
}
