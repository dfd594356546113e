package org.dtkd4j.core.loss.golden;

import org.dtkd4j.core.loss.LossResult;
import org.dtkd4j.core.loss.Term;
import org.dtkd4j.core.loss.TermResult;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What an implementation produced for one golden case, in double precision whatever the implementation's dtype.
 * Per-sample maps may omit terms an implementation does not expose; every expected term value and gradient must be
 * present.
 */
public record Outcome(double total, double[][] gradient, Map<Term, Double> values, Map<Term, double[]> perSample,
                      Map<Term, double[][]> gradients, double[] studentTemperatures,
                      double[] teacherTemperatures, double[] studentMax, double[] teacherMax, double warmupFactor,
                      long guardedRows) {

    /** @return the outcome of a closed-form evaluation */
    public static Outcome of(LossResult r) {
        Map<Term, Double> values = new LinkedHashMap<>();
        Map<Term, double[]> perSample = new LinkedHashMap<>();
        Map<Term, double[][]> gradients = new LinkedHashMap<>();
        for (TermResult t : r.terms().values()) {
            values.put(t.term(), t.value());
            perSample.put(t.term(), t.perSample());
            gradients.put(t.term(), t.gradient());
        }
        return new Outcome(r.total(), r.gradient(), values, perSample, gradients, r.studentTemperatures(),
                r.teacherTemperatures(), r.studentMax(), r.teacherMax(), r.warmupFactor(), r.guardedRows());
    }
}
