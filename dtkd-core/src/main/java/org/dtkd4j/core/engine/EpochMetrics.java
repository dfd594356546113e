package org.dtkd4j.core.engine;

import org.dtkd4j.core.loss.TemperatureStats;
import org.dtkd4j.core.loss.Term;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One row of a run's {@code metrics.csv}: what one training epoch did and how the student then scored.
 *
 * @param epoch         epoch number, reference numbering (the first epoch is 1)
 * @param learningRate  learning rate used during the epoch
 * @param warmupFactor  factor that multiplied the distillation terms during the epoch
 * @param lossTotal     mean total training loss over the epoch's samples
 * @param terms         mean of each unweighted loss term over the epoch's samples (only the method's terms)
 * @param trainTop1     training top-1 accuracy in [0, 1], on the augmented batches as they were trained
 * @param testTop1      test top-1 accuracy in [0, 1] after the epoch
 * @param testTop5      test top-5 accuracy in [0, 1] after the epoch
 * @param temperatures  temperatures over the epoch ({@link TemperatureStats#EMPTY} for methods without them)
 * @param epochSeconds  wall time of the training part of the epoch
 * @param samplesPerSecond training samples per second
 */
public record EpochMetrics(int epoch, double learningRate, double warmupFactor, double lossTotal,
                           Map<Term, Double> terms, double trainTop1, double testTop1, double testTop5,
                           TemperatureStats temperatures, double epochSeconds, double samplesPerSecond) {

    /** The CSV header; term columns are named by {@link Term#outputName()}. */
    public static final List<String> COLUMNS;

    static {
        List<String> c = new ArrayList<>(List.of("epoch", "lr", "warmup", "loss_total"));
        for (Term t : Term.values()) {
            c.add(t.outputName());
        }
        c.addAll(List.of("train_top1", "test_top1", "test_top5", "t_stu_mean", "t_stu_min", "t_stu_max",
                "t_tea_mean", "t_tea_min", "t_tea_max", "guarded_rows", "epoch_seconds", "samples_per_s"));
        COLUMNS = Collections.unmodifiableList(c);
    }

    /** Copies the term map. */
    public EpochMetrics {
        terms = Collections.unmodifiableMap(terms.isEmpty() ? new EnumMap<>(Term.class) : new EnumMap<>(terms));
    }

    /** @return this row as CSV cells in {@link #COLUMNS} order; absent terms and temperatures are empty cells */
    public String toCsv() {
        List<String> cells = new ArrayList<>();
        cells.add(Integer.toString(epoch));
        cells.add(num(learningRate));
        cells.add(num(warmupFactor));
        cells.add(num(lossTotal));
        for (Term t : Term.values()) {
            Double v = terms.get(t);
            cells.add(v == null ? "" : num(v));
        }
        cells.add(num(trainTop1));
        cells.add(num(testTop1));
        cells.add(num(testTop5));
        boolean temps = !temperatures.isEmpty();
        cells.add(temps ? num(temperatures.studentMean()) : "");
        cells.add(temps ? num(temperatures.studentMin()) : "");
        cells.add(temps ? num(temperatures.studentMax()) : "");
        cells.add(temps ? num(temperatures.teacherMean()) : "");
        cells.add(temps ? num(temperatures.teacherMin()) : "");
        cells.add(temps ? num(temperatures.teacherMax()) : "");
        cells.add(temps ? Long.toString(temperatures.guardedRows()) : "");
        cells.add(String.format(Locale.ROOT, "%.3f", epochSeconds));
        cells.add(String.format(Locale.ROOT, "%.1f", samplesPerSecond));
        return String.join(",", cells);
    }

    private static String num(double v) {
        return Double.toString(v);
    }
}
