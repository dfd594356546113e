package org.dtkd4j.examples.study;

import org.dtkd4j.core.config.Method;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The table of a seeded study: one row per method, over its runs (one per seed):
 * <ul>
 *   <li>best and last test top-1, mean ± sample standard deviation over the seeds ({@link SeedStatistics});</li>
 *   <li>the paired difference to a baseline method (e.g. KD) of the best and of the last test top-1: the mean
 *   over seeds of {@code method(seed) - baseline(seed)} with its 95% t-interval
 *   ({@link SeedStatistics#pairedDifference});</li>
 *   <li>the mean student and teacher temperatures ({@link RunResult#tStuMean()}, {@link RunResult#tTeaMean()})
 *   over the seeds, for methods that record them.</li>
 * </ul>
 * Accuracies are fractions in [0, 1] here and percentages in {@link #render()} and {@link #methodsCsv()}.
 */
public final class StudyTable {

    /**
     * One method's row.
     *
     * @param method   the method
     * @param runs     its runs, one per seed, in seed order
     * @param bestMean mean over seeds of the best test top-1
     * @param bestStd  its sample standard deviation (NaN for one seed)
     * @param lastMean mean over seeds of the last epoch's test top-1
     * @param lastStd  its sample standard deviation (NaN for one seed)
     * @param deltaBest paired difference of the best test top-1 to the baseline; empty for the baseline itself or
     *                 without a baseline
     * @param deltaLast paired difference of the last test top-1 to the baseline, as {@code deltaBest}
     * @param tStuMean mean student temperature over the seeds, NaN without temperatures
     * @param tTeaMean mean teacher temperature over the seeds, NaN without temperatures
     */
    public record Row(Method method, List<RunResult> runs, double bestMean, double bestStd, double lastMean,
                      double lastStd, Optional<SeedStatistics.Interval> deltaBest,
                      Optional<SeedStatistics.Interval> deltaLast, double tStuMean, double tTeaMean) {
        /** Copies the runs. */
        public Row {
            runs = List.copyOf(runs);
        }
    }

    private final List<Long> seeds;
    private final Optional<Method> baseline;
    private final List<Row> rows;

    private StudyTable(List<Long> seeds, Optional<Method> baseline, List<Row> rows) {
        this.seeds = seeds;
        this.baseline = baseline;
        this.rows = rows;
    }

    /**
     * Builds the table.
     *
     * @param methods  the methods, in row order
     * @param seeds    the seeds, at least one
     * @param baseline the method the others are compared with (one of {@code methods}), or empty for no comparison
     * @param results  exactly one result per method and seed
     * @return the table
     * @throws IllegalArgumentException if a result is missing or repeated, or the baseline is not among the methods
     */
    public static StudyTable of(List<Method> methods, List<Long> seeds, Optional<Method> baseline,
                                List<RunResult> results) {
        if (methods.isEmpty() || seeds.isEmpty()) {
            throw new IllegalArgumentException("a study needs at least one method and one seed, found " + methods
                    + " and " + seeds);
        }
        if (baseline.isPresent() && !methods.contains(baseline.get())) {
            throw new IllegalArgumentException("baseline " + baseline.get() + " is not among the methods " + methods);
        }
        Map<String, RunResult> byKey = new HashMap<>();
        for (RunResult r : results) {
            if (byKey.put(key(r.method(), r.seed()), r) != null) {
                throw new IllegalArgumentException("two results for " + r.method() + " seed " + r.seed());
            }
        }
        if (byKey.size() != methods.size() * seeds.size()) {
            throw new IllegalArgumentException("expected one result per method and seed, " + methods.size() + " x "
                    + seeds.size() + ", found " + byKey.size());
        }
        Map<Method, List<RunResult>> runs = new HashMap<>();
        for (Method m : methods) {
            List<RunResult> list = new ArrayList<>();
            for (long s : seeds) {
                RunResult r = byKey.get(key(m, s));
                if (r == null) {
                    throw new IllegalArgumentException("no result for " + m + " seed " + s);
                }
                list.add(r);
            }
            runs.put(m, list);
        }
        List<Row> rows = new ArrayList<>();
        for (Method m : methods) {
            List<RunResult> own = runs.get(m);
            double[] best = own.stream().mapToDouble(RunResult::bestTop1).toArray();
            double[] last = own.stream().mapToDouble(RunResult::lastTop1).toArray();
            Optional<SeedStatistics.Interval> deltaBest = Optional.empty();
            Optional<SeedStatistics.Interval> deltaLast = Optional.empty();
            if (baseline.isPresent() && baseline.get() != m) {
                List<RunResult> base = runs.get(baseline.get());
                deltaBest = Optional.of(SeedStatistics.pairedDifference(best,
                        base.stream().mapToDouble(RunResult::bestTop1).toArray()));
                deltaLast = Optional.of(SeedStatistics.pairedDifference(last,
                        base.stream().mapToDouble(RunResult::lastTop1).toArray()));
            }
            rows.add(new Row(m, own, SeedStatistics.mean(best), SeedStatistics.sampleStd(best),
                    SeedStatistics.mean(last), SeedStatistics.sampleStd(last), deltaBest, deltaLast,
                    SeedStatistics.mean(own.stream().mapToDouble(RunResult::tStuMean).toArray()),
                    SeedStatistics.mean(own.stream().mapToDouble(RunResult::tTeaMean).toArray())));
        }
        return new StudyTable(List.copyOf(seeds), baseline, List.copyOf(rows));
    }

    private static String key(Method m, long seed) {
        return m.name() + "#" + seed;
    }

    /** @return the rows, in method order */
    public List<Row> rows() {
        return rows;
    }

    /** @return the baseline method, if any */
    public Optional<Method> baseline() {
        return baseline;
    }

    /**
     * @return the table as text: a header, one line per method, and the notes saying what the columns are
     */
    public String render() {
        String base = baseline.map(Method::name).orElse("");
        List<String[]> lines = new ArrayList<>();
        List<String> header = new ArrayList<>(List.of("method", "seeds", "best top-1 %", "last top-1 %"));
        if (baseline.isPresent()) {
            header.add("Δ best vs " + base + " [95% CI]");
            header.add("Δ last vs " + base + " [95% CI]");
        }
        header.add("T_stu");
        header.add("T_tea");
        lines.add(header.toArray(String[]::new));
        for (Row r : rows) {
            List<String> cells = new ArrayList<>(List.of(r.method().name(), Integer.toString(r.runs().size()),
                    meanStd(r.bestMean(), r.bestStd()), meanStd(r.lastMean(), r.lastStd())));
            if (baseline.isPresent()) {
                cells.add(r.deltaBest().map(StudyTable::interval).orElse("(baseline)"));
                cells.add(r.deltaLast().map(StudyTable::interval).orElse("(baseline)"));
            }
            cells.add(temperature(r.tStuMean()));
            cells.add(temperature(r.tTeaMean()));
            lines.add(cells.toArray(String[]::new));
        }
        int[] width = new int[lines.get(0).length];
        for (String[] line : lines) {
            for (int c = 0; c < line.length; c++) {
                width[c] = Math.max(width[c], line[c].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (String[] line : lines) {
            StringBuilder text = new StringBuilder();
            for (int c = 0; c < line.length; c++) {
                text.append(c == 0 ? "" : "  ").append(c < 2 ? pad(line[c], width[c], true)
                        : pad(line[c], width[c], false));
            }
            out.append(text.toString().stripTrailing()).append('\n');
        }
        int n = seeds.size();
        out.append(String.format(Locale.ROOT, "test top-1 in %%, mean ± sample standard deviation over %d seed(s) "
                + "%s; best = the best epoch's (as the reference reports), last = after the last epoch.%n", n, seeds));
        if (baseline.isPresent()) {
            out.append(n >= 2
                    ? String.format(Locale.ROOT, "Δ = mean over seeds of the paired difference to %s (same seed: same "
                    + "initial weights and data order), in points, with its 95%% t-interval: mean ± t(0.975, %d) · "
                    + "sd / √%d, t = %.3f; an interval holding 0 does not separate the methods.%n", base, n - 1, n,
                    SeedStatistics.tQuantile975(n - 1))
                    : String.format(Locale.ROOT, "Δ = the difference to %s for the one seed, in points (no interval "
                    + "with one seed).%n", base));
        }
        out.append("T_stu / T_tea: the temperatures averaged over every training sample of every epoch and seed "
                + "(metrics.csv t_stu_mean / t_tea_mean: per sample for DTKD-style methods, the fixed T where a method records "
                + "one); "
                + "- for methods without them.\n");
        return out.toString();
    }

    /**
     * @return one line per method: {@code method,seeds,best_mean,best_std,last_mean,last_std,} then for each of best
     *         and last the difference to the baseline with its interval ({@code d_best,d_best_low,d_best_high,
     *         d_last,d_last_low,d_last_high}, empty for the baseline or without one), then {@code t_stu,t_tea};
     *         accuracies in %, absent values empty
     */
    public String methodsCsv() {
        StringBuilder out = new StringBuilder("method,seeds,best_mean,best_std,last_mean,last_std,d_best,d_best_low,"
                + "d_best_high,d_last,d_last_low,d_last_high,t_stu,t_tea\n");
        for (Row r : rows) {
            List<String> cells = new ArrayList<>(List.of(r.method().name(), Integer.toString(r.runs().size()),
                    csv(100 * r.bestMean()), csv(100 * r.bestStd()), csv(100 * r.lastMean()), csv(100 * r.lastStd())));
            for (Optional<SeedStatistics.Interval> d : List.of(r.deltaBest(), r.deltaLast())) {
                cells.add(d.map(i -> csv(100 * i.mean())).orElse(""));
                cells.add(d.map(i -> csv(100 * i.low())).orElse(""));
                cells.add(d.map(i -> csv(100 * i.high())).orElse(""));
            }
            cells.add(csv(r.tStuMean()));
            cells.add(csv(r.tTeaMean()));
            out.append(String.join(",", cells)).append('\n');
        }
        return out.toString();
    }

    /**
     * @return one line per run: {@code method,seed,best_top1,best_epoch,last_top1,t_stu_mean,t_tea_mean}, accuracies
     *         as fractions, absent temperatures empty
     */
    public String runsCsv() {
        StringBuilder out = new StringBuilder("method,seed,best_top1,best_epoch,last_top1,t_stu_mean,t_tea_mean\n");
        for (Row row : rows) {
            for (RunResult r : row.runs()) {
                out.append(String.join(",", r.method().name(), Long.toString(r.seed()), csv(r.bestTop1()),
                        Integer.toString(r.bestEpoch()), csv(r.lastTop1()), csv(r.tStuMean()), csv(r.tTeaMean())))
                        .append('\n');
            }
        }
        return out.toString();
    }

    private static String meanStd(double mean, double std) {
        return Double.isNaN(std) ? String.format(Locale.ROOT, "%.2f", 100 * mean)
                : String.format(Locale.ROOT, "%.2f ± %.2f", 100 * mean, 100 * std);
    }

    private static String interval(SeedStatistics.Interval d) {
        return d.hasInterval()
                ? String.format(Locale.ROOT, "%+.2f [%+.2f, %+.2f]", 100 * d.mean(), 100 * d.low(), 100 * d.high())
                : String.format(Locale.ROOT, "%+.2f", 100 * d.mean());
    }

    private static String temperature(double t) {
        return Double.isNaN(t) ? "-" : String.format(Locale.ROOT, "%.3f", t);
    }

    private static String csv(double v) {
        return Double.isNaN(v) ? "" : Double.toString(v);
    }

    private static String pad(String s, int width, boolean left) {
        String fill = " ".repeat(Math.max(0, width - s.length()));
        return left ? s + fill : fill + s;
    }
}
