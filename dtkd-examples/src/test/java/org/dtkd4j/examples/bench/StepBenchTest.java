package org.dtkd4j.examples.bench;

import org.dtkd4j.core.teacher.Teacher;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The minibatches the step rows and the profile train on. */
class StepBenchTest {

    private static final int BATCH = 5;
    private static final int CLASSES = 7;

    /** A teacher whose logits are all 1. */
    private static final class OnesTeacher implements Teacher {
        @Override
        public INDArray logits(INDArray features) {
            return Nd4j.ones(features.dataType(), features.size(0), CLASSES);
        }

        @Override
        public int numClasses() {
            return CLASSES;
        }

        @Override
        public String describe() {
            return "ones";
        }
    }

    @Test
    void everyStepTrainsOnOneBatchOfTheConfiguredSize() {
        BenchOptions options = new BenchOptions(0, 1, 1, 100, 1, BATCH, CLASSES, BenchOptions.DEFAULT_LOSS_SIZES, List.of(),
                null, 3, java.util.Set.of());
        try (StepBench bench = new StepBench(options)) {
            for (Teacher teacher : new Teacher[]{null, new OnesTeacher()}) {
                DataSetIterator it = bench.iterator(teacher);
                for (DataSet expected : bench.batches()) {
                    DataSet batch = it.next();
                    assertThat(batch.numExamples()).as("examples per step, not merged list elements")
                            .isEqualTo(BATCH);
                    assertThat(batch.getFeatures()).isEqualTo(expected.getFeatures());
                    assertThat(batch.getLabels().size(1)).isEqualTo(teacher == null ? CLASSES : 2L * CLASSES);
                }
                assertThat(it.hasNext()).as("each random batch once per pass").isFalse();
            }
        }
    }
}
