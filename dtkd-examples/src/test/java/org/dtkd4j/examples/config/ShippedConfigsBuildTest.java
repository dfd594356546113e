package org.dtkd4j.examples.config;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dtkd4j.core.config.DistillationConfig;
import org.dtkd4j.core.config.DkdConfig;
import org.dtkd4j.core.config.DtkdConfig;
import org.dtkd4j.core.config.HazardPolicy;
import org.dtkd4j.core.config.KdConfig;
import org.dtkd4j.core.config.Method;
import org.dtkd4j.core.data.Augmentation;
import org.dtkd4j.core.engine.TrainingRecipe;
import org.dtkd4j.zoo.CifarZoo;
import org.dtkd4j.zoo.ZooSpec;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every YAML shipped under {@code configs/cifar100/} is a runnable experiment: it parses, selects a distillation method and a
 * recipe, and its teacher and student build from the zoo at CIFAR-100 size (100 classes, 3x32x32) with the
 * parameters the zoo counts and a classifier of 100 outputs. Builds only, no training. The Fashion-MNIST study's file
 * holds the recipe it documents.
 */
class ShippedConfigsBuildTest {

    private static final Path CONFIGS = Path.of("..", "configs");

    @Test
    void everyShippedConfigBuildsItsTeacherAndStudentAtOneHundredClasses() throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(CONFIGS.resolve("cifar100"))) {
            files = walk.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertThat(files).hasSize(22);
        Map<String, Long> built = new HashMap<>();
        for (Path file : files) {
            ExperimentConfig cfg = ExperimentConfig.load(file);
            Method method = cfg.distiller().method();
            assertThat(method).as(file.toString()).isIn(Method.DTKD, Method.DKD);
            assertThat(cfg.distillation().method()).as(file.toString()).isEqualTo(method);
            TrainingRecipe recipe = cfg.recipe();
            assertThat(recipe.epochs()).as(file.toString()).isEqualTo(240);
            assertThat(cfg.datasetType()).isEqualTo(ExperimentConfig.DatasetType.CIFAR100);
            for (String name : List.of(cfg.distiller().teacher(), cfg.distiller().student())) {
                assertThat(CifarZoo.names()).as(file.toString()).contains(name);
                built.computeIfAbsent(name, n -> {
                    ComputationGraph graph = CifarZoo.build(n, ZooSpec.defaults());
                    ComputationGraphConfiguration conf = graph.getConfiguration();
                    assertThat(graph.numParams()).as(n).isPositive()
                            .isEqualTo(CifarZoo.parameterCount(conf).total());
                    assertThat(conf.getLayerActivationTypes(InputType.convolutional(32, 32, 3)).get(CifarZoo.OUTPUT)
                            .arrayElementsPerExample()).as(n).isEqualTo(100);
                    return graph.numParams();
                });
            }
        }
        // 6 teachers and 9 students over the 11 pairs
        assertThat(built).hasSize(15);
    }

    @Test
    void theFashionMnistStudyHoldsItsRecipe() {
        ExperimentConfig cfg = ExperimentConfig.load(CONFIGS.resolve("fashion_mnist/study_res20_res8.yaml"));
        assertThat(cfg.datasetType()).isEqualTo(ExperimentConfig.DatasetType.FASHION_MNIST_32);
        assertThat(cfg.extensions().trainSubset()).isEqualTo(10_000);
        assertThat(cfg.extensions().trainPerClass()).isZero();
        assertThat(cfg.datasetDirectory()).isEmpty();
        assertThat(cfg.distiller().teacher()).isEqualTo("resnet20");
        assertThat(cfg.distiller().student()).isEqualTo("resnet8");
        assertThat(cfg.recipe()).isEqualTo(new TrainingRecipe(8, 64, 0.05, new int[]{6}, 0.1, 0.9, 5e-4, 0, 0));
        assertThat(cfg.extensions().trainingAugmentation()).isEqualTo(Augmentation.REFERENCE);
        assertThat(method(cfg, Method.KD)).isEqualTo(new KdConfig(4, 0.1, 0.9));
        assertThat(method(cfg, Method.DTKD)).isEqualTo(new DtkdConfig(3, 1, 4, 1, 1, false, HazardPolicy.GUARDED));
        DkdConfig dkd = DkdConfig.defaults();
        assertThat(method(cfg, Method.DKD)).isEqualTo(new DkdConfig(dkd.alpha(), dkd.beta(), dkd.temperature(),
                dkd.ceWeight(), 1, HazardPolicy.GUARDED));
    }

    private static DistillationConfig method(ExperimentConfig cfg, Method m) {
        return cfg.withOverrides(List.of("DISTILLER.TYPE", m.name())).distillation();
    }
}
