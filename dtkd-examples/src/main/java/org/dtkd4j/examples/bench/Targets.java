package org.dtkd4j.examples.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The speed targets and their verdicts.
 *
 * <p>A target bounds the ratio of two rows measured in the same rounds: {@code numerator / denominator <= bound}.
 * Its ratio is the median of the per-round ratios ({@link Stats#pairedRatios}), its interval the distribution-free
 * 95% interval of that median ({@link Stats#medianInterval}), and its verdict:
 * <ul>
 *   <li>{@link Verdict#MET}: the whole interval is at or below the bound;</li>
 *   <li>{@link Verdict#MISSED}: the whole interval is above the bound;</li>
 *   <li>{@link Verdict#NOT_DISTINGUISHABLE}: the interval contains the bound (the spread of the rounds does not
 *   decide), or there are fewer than {@value Stats#MIN_VALUES_FOR_INTERVAL} rounds.</li>
 * </ul>
 */
public final class Targets {

    private Targets() {
    }

    /** The verdict of a target. */
    public enum Verdict {
        /** The interval of the ratio lies at or below the bound. */
        MET("met"),
        /** The interval of the ratio lies above the bound. */
        MISSED("MISSED"),
        /** The interval contains the bound, or there are too few rounds for an interval. */
        NOT_DISTINGUISHABLE("not distinguishable");

        private final String text;

        Verdict(String text) {
            this.text = text;
        }

        /**
         * @param interval the interval of the ratio, or empty
         * @param bound    the largest ratio that meets the target
         * @return the verdict
         */
        public static Verdict of(Optional<Stats.Interval> interval, double bound) {
            if (interval.isEmpty()) {
                return NOT_DISTINGUISHABLE;
            }
            return interval.get().high() <= bound ? MET : interval.get().low() > bound ? MISSED : NOT_DISTINGUISHABLE;
        }

        @Override
        public String toString() {
            return text;
        }
    }

    /**
     * A bound on the ratio of two rows.
     *
     * @param name        what is divided by what
     * @param numerator   id of the numerator row
     * @param denominator id of the denominator row
     * @param bound       the largest ratio that meets the target
     */
    public record Target(String name, String numerator, String denominator, double bound) {
    }

    /**
     * A target evaluated on measured rows.
     *
     * @param target   the target
     * @param ratio    the median of the per-round ratios
     * @param interval its 95% interval, if there are enough rounds
     * @param verdict  the verdict
     */
    public record Comparison(Target target, double ratio, Optional<Stats.Interval> interval, Verdict verdict) {

        /**
         * @param target the target
         * @param num    the numerator row
         * @param den    the denominator row, measured in the same rounds
         * @return the comparison
         */
        public static Comparison of(Target target, Measurement num, Measurement den) {
            double[] r = Stats.pairedRatios(num.roundMs(), den.roundMs());
            Optional<Stats.Interval> interval = Stats.medianInterval(r);
            return new Comparison(target, Stats.median(r), interval, Verdict.of(interval, target.bound()));
        }
    }

    /**
     * The targets of the product's speed goals among the rows measured: for every pair, DTKD step / KD step &lt;= 1.03;
     * for resnet56→resnet20, DL4J / PyTorch &lt;= 1.5 for the NONE step and &lt;= 1.3 for the DTKD step; for
     * resnet32x4→resnet8x4, DL4J / PyTorch &lt;= 1.1 for every step; for every loss size and method, DL4J / PyTorch
     * &lt;= 1.5 for the closed form and the DL4J loss. A lever row ({@link Lever}) gets its baseline's targets and
     * "with / without the lever &lt;= 1.0" (met: the lever is faster, missed: slower). A target whose rows were not
     * measured is left out.
     *
     * @param rows the measured rows by id
     * @return the targets, in the order of the rows
     */
    public static List<Target> of(Map<String, Measurement> rows) {
        List<Target> out = new ArrayList<>();
        for (Measurement m : rows.values()) {
            if (m.side() != Measurement.Side.DL4J) {
                continue;
            }
            String torch = Measurement.Side.PYTORCH.id(BenchReport.torchId(m.id()));
            String base = Lever.baseline(m.id());
            String lever = m.id().substring(base.length());
            if (!lever.isEmpty()) {
                out.add(new Target("with / without " + lever.substring(1) + ", " + (rows.containsKey(base) ? rows.get(base).label() : base),
                        m.id(), base,
                        1.0));
            }
            String[] parts = base.split("/");
            if (parts[0].equals("step")) {
                String pair = parts[1];
                String method = parts[2];
                double bound = stepBound(pair, method);
                if (bound > 0) {
                    out.add(new Target("DL4J / PyTorch, " + m.label(), m.id(), torch, bound));
                }
                if (method.equals("DTKD")) {
                    out.add(new Target("DTKD step / KD step, " + pair + lever, m.id(), "step/" + pair + "/KD" + lever,
                            1.03));
                }
            } else if (parts[0].equals("loss") && (parts[3].equals("closed") || parts[3].equals("dl4j"))) {
                out.add(new Target("DL4J / PyTorch, " + m.label(), m.id(), torch, 1.5));
            }
        }
        out.removeIf(t -> !rows.containsKey(t.numerator()) || !rows.containsKey(t.denominator()));
        return out;
    }

    /** @return the DL4J / PyTorch bound of a step row, or 0 for none */
    private static double stepBound(String pair, String method) {
        return switch (pair) {
            case "resnet56->resnet20" -> method.equals("NONE") ? 1.5 : method.equals("DTKD") ? 1.3 : 0;
            case "resnet32x4->resnet8x4" -> 1.1;
            default -> 0;
        };
    }
}
