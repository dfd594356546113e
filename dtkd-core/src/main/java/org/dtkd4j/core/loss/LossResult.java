package org.dtkd4j.core.loss;

import org.dtkd4j.core.config.Method;

import java.util.Map;

/**
 * Everything one evaluation of a loss produced for a batch of {@code N} rows and {@code C} classes. Arrays are
 * owned by the result and not copied; gradients are those of batch means (they carry the factor {@code 1/N}).
 *
 * @param method              the loss's method
 * @param total               the loss: {@code warmupFactor · (weighted distillation terms) + ceWeight · L_ce}
 * @param perSampleTotal      {@code [N]} per-sample contributions; their mean equals {@code total} up to rounding
 * @param gradient            {@code [N][C]} gradient of {@code total} with respect to the student logits
 * @param terms               the unweighted terms, in evaluation order
 * @param warmupFactor        the factor that multiplied the distillation terms
 * @param studentMax          {@code [N]} row maxima {@code ms} of the student logits (empty without teacher)
 * @param teacherMax          {@code [N]} row maxima {@code mt} of the teacher logits (empty without teacher)
 * @param studentTemperatures {@code [N]} temperatures used for the student ({@code T} for fixed-temperature
 *                            methods; empty without teacher)
 * @param teacherTemperatures {@code [N]} temperatures used for the teacher
 * @param guarded             {@code [N]} rows whose hazardous temperatures were replaced by {@code T}
 * @param temperatureStats    summary of the temperatures, {@link TemperatureStats#EMPTY} without teacher
 */
public record LossResult(Method method, double total, double[] perSampleTotal, double[][] gradient,
                         Map<Term, TermResult> terms, double warmupFactor, double[] studentMax,
                         double[] teacherMax, double[] studentTemperatures, double[] teacherTemperatures,
                         boolean[] guarded, TemperatureStats temperatureStats) {

    /**
     * @param term a term of this loss
     * @return its result
     * @throws IllegalArgumentException if this loss has no such term
     */
    public TermResult term(Term term) {
        TermResult result = terms.get(term);
        if (result == null) {
            throw new IllegalArgumentException(method + " has no term " + term + ", found " + terms.keySet());
        }
        return result;
    }

    /** @return the number of guarded rows */
    public long guardedRows() {
        return temperatureStats.guardedRows();
    }
}
