package org.dtkd4j.zoo;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dtkd4j.core.perf.FastKernels;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Training-step time of zoo models in NCHW and NHWC, measured alternately in one run so that both layouts see the
 * same machine load (a benchmark, not a test: run it by hand).
 *
 * <pre>
 * mvn -o -q -pl dtkd-zoo -am test-compile dependency:build-classpath -Dmdep.outputFile=cp.txt
 * java -cp dtkd-zoo/target/test-classes:dtkd-zoo/target/classes:dtkd-core/target/classes:$(cat dtkd-zoo/cp.txt) \
 *     org.dtkd4j.zoo.LayoutBenchmark [rounds] [model ...]
 * </pre>
 * Defaults: 5 rounds of resnet8x4 and resnet32x4, batch 64, 3×32×32, 100 classes, float32, 2 warm-up steps per
 * layout. Each round times one {@code fit} step per layout, the layout going first alternating between rounds. Runs on
 * the fast kernels unless {@code -Ddtkd.fastKernels=false}.
 */
public final class LayoutBenchmark {

    private static final int BATCH = 64;
    private static final int WARMUP = 2;

    private LayoutBenchmark() {
    }

    /** @param args rounds, then model names */
    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        List<String> models = args.length > 1 ? Arrays.asList(args).subList(1, args.length)
                : List.of("resnet8x4", "resnet32x4");
        FastKernels.enableUnlessOptedOut();
        System.out.println("kernels: " + FastKernels.status());
        System.out.printf("%-11s %-5s %6s %10s %10s %10s  samples (ms)%n", "model", "fmt", "rounds", "median",
                "min", "max");
        for (String model : models) {
            Map<CNN2DFormat, ComputationGraph> graphs = new EnumMap<>(CNN2DFormat.class);
            Map<CNN2DFormat, List<Double>> millis = new EnumMap<>(CNN2DFormat.class);
            for (CNN2DFormat format : CNN2DFormat.values()) {
                graphs.put(format, CifarZoo.build(model, ZooSpec.builder().dataFormat(format).build()));
                millis.put(format, new ArrayList<>());
            }
            Nd4j.getRandom().setSeed(1);
            INDArray x = Nd4j.rand(DataType.FLOAT, BATCH, 3, 32, 32);
            INDArray y = Nd4j.zeros(DataType.FLOAT, BATCH, 100);
            for (int i = 0; i < BATCH; i++) {
                y.putScalar(i, i % 100, 1f);
            }
            DataSet batch = new DataSet(x, y);
            for (CNN2DFormat format : CNN2DFormat.values()) {
                for (int i = 0; i < WARMUP; i++) {
                    graphs.get(format).fit(batch);
                }
            }
            for (int r = 0; r < rounds; r++) {
                CNN2DFormat[] order = r % 2 == 0 ? new CNN2DFormat[] {CNN2DFormat.NCHW, CNN2DFormat.NHWC}
                        : new CNN2DFormat[] {CNN2DFormat.NHWC, CNN2DFormat.NCHW};
                for (CNN2DFormat format : order) {
                    long start = System.nanoTime();
                    graphs.get(format).fit(batch);
                    millis.get(format).add((System.nanoTime() - start) / 1e6);
                }
            }
            millis.forEach((format, ms) -> {
                List<Double> sorted = ms.stream().sorted().toList();
                double median = sorted.size() % 2 == 1 ? sorted.get(sorted.size() / 2)
                        : (sorted.get(sorted.size() / 2 - 1) + sorted.get(sorted.size() / 2)) / 2;
                System.out.printf("%-11s %-5s %6d %10.0f %10.0f %10.0f  %s%n", model, format, ms.size(), median,
                        sorted.get(0), sorted.get(sorted.size() - 1),
                        ms.stream().map(v -> String.format("%.0f", v)).toList());
            });
        }
    }
}
