package org.dtkd4j.core.dl4j;

import org.dtkd4j.core.teacher.Teacher;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

import java.util.List;

/**
 * Wraps a {@link DataSetIterator} of (features, one-hot labels) and replaces each minibatch's labels by
 * {@link TeacherLabels#pack [one-hot | teacher logits]}, running the teacher once per minibatch. Feed it to
 * {@code fit(iterator)} of a network whose output layer uses {@link DistillationLossFunction}.
 *
 * <ul>
 *   <li>A pre-processor set on this iterator is applied to the base minibatch before the teacher sees it, so the
 *   teacher gets the same (e.g. normalised) features as the student.</li>
 *   <li>{@link #resetSupported()} and {@link #asyncSupported()} are the base iterator's. When asynchronous, DL4J
 *   prefetches on a background thread, so the teacher runs there, overlapping student training; the teacher must
 *   then not be used concurrently elsewhere.</li>
 *   <li>Feature and label masks pass through unchanged.</li>
 * </ul>
 * Evaluate the student with the plain base iterator: DL4J's evaluation expects one-hot labels.
 */
public class TeacherLabelIterator implements DataSetIterator {

    private static final long serialVersionUID = 1L;

    private final DataSetIterator base;
    private final transient Teacher teacher;
    private DataSetPreProcessor preProcessor;

    /**
     * @param base    iterator of (features, one-hot labels)
     * @param teacher the frozen teacher; not closed by this iterator
     */
    public TeacherLabelIterator(DataSetIterator base, Teacher teacher) {
        if (base == null || teacher == null) {
            throw new IllegalArgumentException("base iterator and teacher must not be null, found "
                    + (base == null ? "null base iterator" : "null teacher"));
        }
        this.base = base;
        this.teacher = teacher;
    }

    @Override
    public DataSet next() {
        return withTeacher(base.next());
    }

    @Override
    public DataSet next(int num) {
        return withTeacher(base.next(num));
    }

    private DataSet withTeacher(DataSet ds) {
        if (preProcessor != null) {
            preProcessor.preProcess(ds);
        }
        DataSet out = new DataSet(ds.getFeatures(), TeacherLabels.pack(ds.getLabels(), teacherLogits(ds)),
                ds.getFeaturesMaskArray(), ds.getLabelsMaskArray());
        out.setExampleMetaData(ds.getExampleMetaData());
        return out;
    }

    /**
     * The teacher logits packed into a minibatch's labels. Subclasses may supply them another way (e.g. from a
     * cache), as long as they equal what {@link #teacher()} computes for the minibatch's features.
     *
     * @param batch the base minibatch, after this iterator's pre-processor
     * @return {@code [N, numClasses]} teacher logits; here {@code teacher().logits(batch.getFeatures())}
     */
    protected INDArray teacherLogits(DataSet batch) {
        return teacher.logits(batch.getFeatures());
    }

    /** @return the teacher this iterator runs */
    protected Teacher teacher() {
        return teacher;
    }

    @Override
    public boolean hasNext() {
        return base.hasNext();
    }

    @Override
    public int inputColumns() {
        return base.inputColumns();
    }

    /** @return the packed label width, {@code 2 · teacher.numClasses()} */
    @Override
    public int totalOutcomes() {
        return 2 * teacher.numClasses();
    }

    @Override
    public boolean resetSupported() {
        return base.resetSupported();
    }

    @Override
    public boolean asyncSupported() {
        return base.asyncSupported();
    }

    @Override
    public void reset() {
        base.reset();
    }

    @Override
    public int batch() {
        return base.batch();
    }

    @Override
    public void setPreProcessor(DataSetPreProcessor preProcessor) {
        this.preProcessor = preProcessor;
    }

    @Override
    public DataSetPreProcessor getPreProcessor() {
        return preProcessor;
    }

    @Override
    public List<String> getLabels() {
        return base.getLabels();
    }
}
