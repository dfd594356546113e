package org.dtkd4j.zoo.onnx;

import com.fasterxml.jackson.databind.JsonNode;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dtkd4j.zoo.CifarZoo;
import org.dtkd4j.zoo.GoldenFixtures;
import org.dtkd4j.zoo.ZooSpec;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every ONNX export of the golden directory, loaded into the zoo model of its file's base name, reproduces torch's
 * logits in inference mode: float32 within 1e-4 and float64 within 1e-9 of the largest absolute logit, in both
 * activation layouts (the NCHW input and the PyTorch weights are the same for an NHWC graph).
 */
class PyTorchGoldenTest {

    @TestFactory
    List<DynamicTest> zooGraphsWithLoadedWeightsReproduceTorchLogits() {
        return GoldenFixtures.perExport((file, dataType, key, rtol) -> check(file, dataType, key, rtol,
                CNN2DFormat.NCHW));
    }

    @TestFactory
    List<DynamicTest> nhwcZooGraphsWithLoadedWeightsReproduceTorchLogits() {
        return GoldenFixtures.perExport((file, dataType, key, rtol) -> check(file, dataType, key, rtol,
                CNN2DFormat.NHWC));
    }

    private static void check(Path file, DataType dataType, String outputKey, double rtol, CNN2DFormat format) {
        String name = GoldenFixtures.modelName(file);
        JsonNode io = GoldenFixtures.io(file);
        ZooSpec spec = ZooSpec.builder().numClasses(io.get("num_classes").asInt()).dataType(dataType)
                .dataFormat(format).build();
        ComputationGraph graph = CifarZoo.build(name, spec);
        PyTorchWeights.load(graph, file);

        INDArray input = GoldenFixtures.array(io.get("input"), dataType);
        INDArray expected = GoldenFixtures.array(io.get(outputKey), DataType.DOUBLE);
        INDArray logits = graph.outputSingle(false, input).castTo(DataType.DOUBLE);

        assertThat(logits.shape()).containsExactly(expected.shape());
        double maxDiff = Transforms.abs(logits.sub(expected)).maxNumber().doubleValue();
        double scale = Transforms.abs(expected).maxNumber().doubleValue();
        System.out.printf("golden %-12s %-7s %s max|diff| %.3e  max|logit| %.4f  relative %.3e%n", name, dataType,
                format, maxDiff, scale, maxDiff / scale);
        assertThat(maxDiff).as(name + " " + dataType + " " + format + " max |logit - torch|").isLessThanOrEqualTo(rtol * scale);
    }
}
