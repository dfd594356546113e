package org.dtkd4j.examples.demo;

import org.dtkd4j.core.config.Method;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What {@link FashionDemo#run} did: one row per trained model (the teacher first, then the students trained with
 * {@link Method#NONE}, {@link Method#KD} and {@link Method#DTKD}), the comparison plot and where the data came from.
 *
 * @param data          the data the models were trained and tested on
 * @param rows          the teacher's row, then one per student
 * @param comparePlot   the PNG overlaying the students' test top-1 per epoch
 * @param totalSeconds  wall time of the whole demo
 */
public record DemoResult(DemoData data, List<Row> rows, Path comparePlot, double totalSeconds) {

    /** Copies the rows. */
    public DemoResult {
        rows = List.copyOf(rows);
    }

    /**
     * One trained model.
     *
     * @param model    the zoo model name, e.g. {@code resnet8}
     * @param role     {@code "teacher"} or {@code "student"}
     * @param method   the training method ({@link Method#NONE} for the teacher: cross-entropy only)
     * @param epochs   epochs trained
     * @param testTop1 test top-1 accuracy after the last epoch, in [0, 1]
     * @param seconds  wall time of the model's training and evaluation
     * @param runDir   its run directory ({@code metrics.csv}, plots, checkpoints)
     * @param plots    the PNG plots written into {@code runDir}
     */
    public record Row(String model, String role, Method method, int epochs, double testTop1, double seconds,
                      Path runDir, List<Path> plots) {
        /** Copies the plots. */
        public Row {
            plots = List.copyOf(plots);
        }
    }

    /**
     * @param method a student method
     * @return the student row trained with it, if any
     */
    public Optional<Row> student(Method method) {
        return rows.stream().filter(r -> r.role().equals("student") && r.method() == method).findFirst();
    }

    /** @return the teacher's row */
    public Row teacher() {
        return rows.get(0);
    }
}
