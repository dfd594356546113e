package org.dtkd4j.examples.distill;

import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dtkd4j.core.config.DtkdConfig;
import org.dtkd4j.core.data.Datasets;
import org.dtkd4j.core.data.ImageDataSetIterator;
import org.dtkd4j.core.data.TrainTestSplit;
import org.dtkd4j.core.dl4j.DistillationLossFunction;
import org.dtkd4j.core.engine.Distiller;
import org.dtkd4j.core.engine.Progress;
import org.dtkd4j.core.engine.RunSummary;
import org.dtkd4j.core.engine.TrainingRecipe;
import org.dtkd4j.core.teacher.GraphTeacher;
import org.dtkd4j.core.teacher.Teacher;
import org.dtkd4j.zoo.CifarZoo;
import org.dtkd4j.zoo.ZooSpec;
import org.dtkd4j.zoo.teacher.Teachers;
import org.junit.jupiter.api.Test;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.dataset.DataSet;

import java.io.IOException;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's section "Distilling in Java" shows code that exists: the plain-API block is the example's code. */
class ReadmeExamplesTest {

    private static final Path README = Path.of("..", "README.md");
    private static final Path PLAIN_SOURCE =
            Path.of("src/main/java/org/dtkd4j/examples/distill/PlainApiDistillation.java");

    /** The classes the section's code names, by simple name. */
    private static final Map<String, Class<?>> CLASSES = Stream.of(Datasets.class, Teachers.class, CifarZoo.class,
                    ZooSpec.class, Distiller.class, Distiller.Builder.class, DtkdConfig.class, TrainingRecipe.class,
                    Progress.class, RunSummary.class, TrainTestSplit.class, Path.class, GraphTeacher.class,
                    Teacher.class, DistillationLossFunction.class, ComputationGraph.class, ImageDataSetIterator.class,
                    Evaluation.class, DataSet.class, PlainApiDistillation.class)
            .collect(Collectors.toMap(Class::getSimpleName, Function.identity()));

    @Test
    void thePlainApiBlockIsTheExampleSCodeLineForLine() throws IOException {
        String block = javaBlocks().stream().filter(b -> b.contains("TeacherLabelIterator")).findFirst()
                .orElseThrow(() -> new AssertionError("no plain-API Java block in README's \"Distilling in Java\""));
        Set<String> source = Files.readAllLines(PLAIN_SOURCE).stream().map(ReadmeExamplesTest::normalise)
                .collect(Collectors.toSet());
        for (String line : block.lines().map(ReadmeExamplesTest::normalise).filter(l -> !l.isEmpty()).toList()) {
            assertThat(source).as("README line not in %s", PLAIN_SOURCE).contains(line);
        }
        assertThat(block).contains("DistillationLossFunction.of(DtkdConfig.defaults())", ".activation(Activation.IDENTITY)",
                "student.setListeners(new DistillationListener())", "fit(new TeacherLabelIterator(train, teacher), epochs)",
                "ImageDataSetIterator.evaluation(test, batch)");
    }

    @Test
    void everyStaticCallAndMethodInTheSectionExists() throws IOException {
        List<String> blocks = javaBlocks();
        assertThat(blocks).hasSize(2);
        Set<String> methods = Stream.concat(CLASSES.values().stream(), Stream.of(OutputLayer.Builder.class))
                .flatMap(c -> Arrays.stream(c.getMethods())).map(java.lang.reflect.Method::getName)
                .collect(Collectors.toSet());
        Matcher call = Pattern.compile("\\b([A-Z]\\w*)\\.([a-z]\\w*)\\(").matcher(String.join("\n", blocks));
        int calls = 0;
        while (call.find()) {
            Class<?> type = CLASSES.get(call.group(1));
            assertThat(type).as("class %s named in README", call.group(1)).isNotNull();
            String name = call.group(2);
            assertThat(Arrays.stream(type.getDeclaredMethods()).filter(m -> m.getName().equals(name))
                    .anyMatch(m -> Modifier.isStatic(m.getModifiers())))
                    .as("static method %s.%s in README", type.getSimpleName(), name).isTrue();
            calls++;
        }
        assertThat(calls).isGreaterThanOrEqualTo(10);
        Matcher member = Pattern.compile("\\.\\s*([a-z]\\w*)\\(").matcher(String.join("\n", blocks));
        while (member.find()) {
            assertThat(methods).as("method %s in README", member.group(1)).contains(member.group(1));
        }
    }

    /** @return the Java code blocks of README's section "Distilling in Java" */
    private static List<String> javaBlocks() throws IOException {
        String readme = Files.readString(README);
        int start = readme.indexOf("\n## Distilling in Java\n");
        assertThat(start).as("README section \"Distilling in Java\"").isNotNegative();
        int end = readme.indexOf("\n## ", start + 1);
        String section = readme.substring(start, end < 0 ? readme.length() : end);
        List<String> blocks = new ArrayList<>();
        Matcher m = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL).matcher(section);
        while (m.find()) {
            blocks.add(m.group(1));
        }
        return blocks;
    }

    private static String normalise(String line) {
        return line.strip().replaceAll("\\s+", " ");
    }
}
