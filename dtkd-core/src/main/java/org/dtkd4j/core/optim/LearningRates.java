package org.dtkd4j.core.optim;

import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.MapSchedule;
import org.nd4j.linalg.schedule.ScheduleType;

import java.util.HashMap;
import java.util.Map;

/** Learning-rate schedules of the reference recipe, as DL4J {@link ISchedule}s. */
public final class LearningRates {

    private LearningRates() {
    }

    /**
     * The reference's step schedule ({@code mdistiller}'s {@code adjust_learning_rate}): with epochs counted from 1,
     * {@code lr(epoch) = base · gamma^k} where {@code k} is the number of milestones strictly below {@code epoch}.
     * DL4J counts epochs from 0, so DL4J epoch {@code e} is reference epoch {@code e + 1}, and the rate drops at the
     * start of DL4J epoch {@code milestone} (the reference's epoch {@code milestone + 1}).
     *
     * <p>Example: base 0.05, milestones 150/180/210, gamma 0.1 give 0.05 for DL4J epochs 0..149, 0.005 for 150..179,
     * 0.0005 for 180..209 and 0.00005 from 210 on.
     *
     * @param base learning rate of the first epochs, finite and &gt; 0
     * @param milestones strictly increasing epochs (reference numbering), each &gt; 0
     * @param gamma factor per milestone, finite and &gt; 0
     * @return an epoch-based schedule
     */
    public static ISchedule multiStep(double base, int[] milestones, double gamma) {
        if (!(base > 0 && Double.isFinite(base))) {
            throw new IllegalArgumentException("learning rate base must be finite and > 0, found " + base);
        }
        if (!(gamma > 0 && Double.isFinite(gamma))) {
            throw new IllegalArgumentException("learning rate decay factor must be finite and > 0, found " + gamma);
        }
        Map<Integer, Double> values = new HashMap<>();
        values.put(0, base);
        double lr = base;
        int previous = 0;
        for (int m : milestones) {
            if (m <= previous) {
                throw new IllegalArgumentException("learning rate milestones must be > 0 and strictly increasing, found "
                        + java.util.Arrays.toString(milestones));
            }
            lr *= gamma;
            values.put(m, lr);
            previous = m;
        }
        return new MapSchedule(ScheduleType.EPOCH, values);
    }
}
