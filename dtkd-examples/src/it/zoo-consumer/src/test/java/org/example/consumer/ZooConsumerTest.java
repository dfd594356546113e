package org.example.consumer;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dtkd4j.core.config.DtkdConfig;
import org.dtkd4j.core.dl4j.DistillationListener;
import org.dtkd4j.core.dl4j.DistillationLossFunction;
import org.dtkd4j.core.dl4j.TeacherLabelIterator;
import org.dtkd4j.core.teacher.GraphTeacher;
import org.dtkd4j.core.teacher.Teacher;
import org.dtkd4j.zoo.CifarZoo;
import org.dtkd4j.zoo.ZooSpec;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.ViewIterator;
import org.nd4j.linalg.factory.Nd4j;

import java.io.File;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A zoo resnet8 student trained one step with the DTKD loss against a zoo resnet8 teacher (another seed); the
 * dependencies a user gets are lean (dtkd-zoo brings dtkd-core and the model importers).
 */
class ZooConsumerTest {

    @Test
    void aZooStudentFitsOneStepAgainstAZooTeacher() {
        ZooSpec spec = ZooSpec.builder().numClasses(10).input(3, 16, 16).seed(1)
                .loss(DistillationLossFunction.of(DtkdConfig.defaults())).build();
        ComputationGraph student = CifarZoo.build("resnet8", spec);
        student.setListeners(new DistillationListener());
        Teacher teacher = GraphTeacher.of(CifarZoo.build("resnet8", spec.toBuilder().seed(2).build()));

        INDArray images = Nd4j.rand(DataType.FLOAT, 4, 3, 16, 16);
        INDArray oneHot = Nd4j.zeros(DataType.FLOAT, 4, 10);
        for (int i = 0; i < 4; i++) {
            oneHot.putScalar(i, 3 * i % 10, 1f);
        }
        INDArray before = student.params().dup();

        student.fit(new TeacherLabelIterator(new ViewIterator(new DataSet(images, oneHot), 4), teacher));

        assertTrue(Double.isFinite(student.score()) && student.score() > 0, "score " + student.score());
        assertNotEquals(before, student.params(), "parameters after one step");
        assertEquals(10, student.outputSingle(images).size(1));
    }

    @Test
    void theClassPathHoldsOneNd4jNativeLibraryAndNoOtherPlatformsNatives() {
        List<String> jars = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .map(path -> Path.of(path).getFileName().toString()).toList();
        assertEquals(List.of("nd4j-native-1.0.0-M2.1-linux-x86_64-onednn.jar"),
                jars.stream().filter(jar -> jar.matches("nd4j-native-[0-9].*-linux-.*\\.jar")).toList());
        List<String> foreign = jars.stream()
                .filter(jar -> jar.matches(".*-(android|ios|macosx|windows|linux-(arm|ppc|x86\\b)).*\\.jar")).toList();
        assertTrue(foreign.isEmpty(), "natives for other platforms: " + foreign);
    }
}
