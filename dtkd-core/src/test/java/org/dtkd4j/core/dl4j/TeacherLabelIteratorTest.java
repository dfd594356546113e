package org.dtkd4j.core.dl4j;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.ViewIterator;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;
import org.nd4j.linalg.factory.Nd4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Packing of teacher logits into minibatch labels. */
class TeacherLabelIteratorTest {

    @Test
    void packsOneHotAndTeacherLogitsPerMinibatch() {
        DataSet data = Fixtures.data(6, DataType.DOUBLE, 1);
        Fixtures.LinearTeacher teacher = new Fixtures.LinearTeacher(DataType.DOUBLE, 2);
        TeacherLabelIterator it = new TeacherLabelIterator(new ViewIterator(data, 4), teacher);
        assertThat(it.totalOutcomes()).isEqualTo(2 * Fixtures.CLASSES);
        assertThat(it.resetSupported()).isTrue();
        assertThat(it.asyncSupported()).isFalse();
        assertThat(it.inputColumns()).isEqualTo(Fixtures.FEATURES);
        assertThat(it.batch()).isEqualTo(4);

        DataSet first = it.next();
        assertThat(teacher.calls).isEqualTo(1);
        INDArray labels = first.getLabels();
        assertThat(labels.shape()).containsExactly(4, 2 * Fixtures.CLASSES);
        assertThat(TeacherLabels.numClasses(labels)).isEqualTo(Fixtures.CLASSES);
        assertThat(TeacherLabels.oneHot(labels)).isEqualTo(data.getLabels().getRows(0, 1, 2, 3));
        assertThat(TeacherLabels.teacherLogits(labels))
                .isEqualTo(teacher.logits(data.getFeatures().getRows(0, 1, 2, 3)));
        assertThat(it.next().getLabels().rows()).isEqualTo(2);
        assertThat(it.hasNext()).isFalse();
        it.reset();
        assertThat(it.hasNext()).isTrue();
    }

    @Test
    void preProcessorRunsBeforeTheTeacher() {
        DataSet data = Fixtures.data(4, DataType.DOUBLE, 3);
        INDArray original = data.getFeatures().dup();
        Fixtures.LinearTeacher teacher = new Fixtures.LinearTeacher(DataType.DOUBLE, 4);
        TeacherLabelIterator it = new TeacherLabelIterator(new ViewIterator(data, 4), teacher);
        DataSetPreProcessor doubling = ds -> ds.setFeatures(ds.getFeatures().mul(2));
        it.setPreProcessor(doubling);
        assertThat(it.getPreProcessor()).isSameAs(doubling);
        DataSet out = it.next();
        assertThat(teacher.lastFeatures).isEqualTo(original.mul(2));
        assertThat(out.getFeatures()).isEqualTo(original.mul(2));
    }

    @Test
    void masksPassThrough() {
        DataSet data = Fixtures.data(3, DataType.DOUBLE, 5);
        INDArray labelMask = Nd4j.createFromArray(new double[][]{{1}, {0}, {1}});
        data.setLabelsMaskArray(labelMask);
        DataSet out = new TeacherLabelIterator(new ViewIterator(data, 3),
                new Fixtures.LinearTeacher(DataType.DOUBLE, 6)).next();
        assertThat(out.getLabelsMaskArray()).isEqualTo(labelMask);
    }

    @Test
    void packRejectsMismatchedShapes() {
        assertThatThrownBy(() -> TeacherLabels.pack(Nd4j.zeros(3, 4), Nd4j.zeros(3, 5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll("[N, C]", "labels [3, 4]", "teacher logits [3, 5]");
        assertThatThrownBy(() -> TeacherLabels.numClasses(Nd4j.zeros(3, 5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("found [3, 5]");
        assertThatThrownBy(() -> new TeacherLabelIterator(null, new Fixtures.LinearTeacher(DataType.DOUBLE, 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("null base iterator");
    }
}
