package org.dtkd4j.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SparkProbeTest {
    @Test
    void fits() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(1).updater(new Sgd(0.1))
                .graphBuilder().addInputs("in")
                .addLayer("d", new DenseLayer.Builder().nIn(4).nOut(8).activation(Activation.RELU).build(), "in")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(8).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "d")
                .setOutputs("out").build();
        ComputationGraph net = new ComputationGraph(conf);
        net.init();
        List<DataSet> data = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            DataSet ds = new DataSet(Nd4j.rand(8, 4), Nd4j.eye(3).getRows(0, 1, 2, 0, 1, 2, 0, 1));
            data.add(ds);
        }
        SparkConf sc = new SparkConf().setMaster("local[2]").setAppName("probe").set("spark.ui.enabled", "false")
                .set("spark.driver.host", "127.0.0.1");
        try (JavaSparkContext jsc = new JavaSparkContext(sc)) {
            JavaRDD<DataSet> rdd = jsc.parallelize(data, 2);
            ParameterAveragingTrainingMaster tm = new ParameterAveragingTrainingMaster.Builder(2, 8)
                    .averagingFrequency(1).batchSizePerWorker(8).workerPrefetchNumBatches(0).build();
            SparkComputationGraph spark = new SparkComputationGraph(jsc, net, tm);
            var before = net.params().dup();
            spark.fit(rdd);
            System.out.println("PROBE params changed by " + before.sub(spark.getNetwork().params()).norm2Number()
                    + " epoch " + spark.getNetwork().getEpochCount() + " iter " + spark.getNetwork().getIterationCount());
            assertThat(spark.getNetwork().params().equalsWithEps(before, 1e-9)).isFalse();
        }
    }
}
