package org.dtkd4j.examples.cli;

import org.dtkd4j.core.config.DtkdConfig;
import org.dtkd4j.core.loss.DistillationLosses;
import org.dtkd4j.core.loss.LossResult;
import org.dtkd4j.core.loss.Term;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.Random;

/**
 * {@code dtkd demo}: DTKD on a sample batch (seeded random logits; one row with maxima of opposite sign to show the
 * GUARDED policy): per-row maxima and temperatures, per-row DTKD/KD terms, and the batch loss terms.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Print DTKD temperatures and loss terms for a sample batch.")
final class DemoCommand implements Runnable {

    @Spec
    private CommandSpec spec;

    @Option(names = "--rows", defaultValue = "6", description = "rows of the sample batch (default ${DEFAULT-VALUE})")
    private int rows;

    @Option(names = "--classes", defaultValue = "10", description = "classes (default ${DEFAULT-VALUE})")
    private int classes;

    @Option(names = "--epoch", defaultValue = "30", description = "reference epoch, for the warmup (default ${DEFAULT-VALUE})")
    private int epoch;

    @Option(names = "--seed", defaultValue = "42", description = "seed of the sample logits (default ${DEFAULT-VALUE})")
    private long seed;

    @Override
    public void run() {
        if (rows < 2) {
            throw new IllegalArgumentException("--rows must be >= 2, found " + rows);
        }
        PrintWriter out = spec.commandLine().getOut();
        Random r = new Random(seed);
        double[][] s = new double[rows][classes];
        double[][] t = new double[rows][classes];
        int[] y = new int[rows];
        for (int i = 0; i < rows; i++) {
            y[i] = r.nextInt(classes);
            for (int j = 0; j < classes; j++) {
                s[i][j] = 2 * r.nextGaussian();
                t[i][j] = 3 * r.nextGaussian() + (j == y[i] ? 4 : 0);
            }
        }
        for (int j = 0; j < classes; j++) {
            s[rows - 1][j] = -Math.abs(s[rows - 1][j]) - 0.5; // negative student maximum: a hazardous row
        }
        DtkdConfig config = DtkdConfig.defaults();
        LossResult res = DistillationLosses.evaluate(config, s, t, y, epoch);
        out.printf(Locale.ROOT, "DTKD on a sample batch: %d rows, %d classes, epoch %d, %s%n%n", rows, classes, epoch, config);
        out.printf(Locale.ROOT, "%4s %9s %9s %8s %8s %9s %9s %s%n", "row", "max s", "max t", "T_stu", "T_tea",
                "L_dtkd", "L_kd", "");
        double[] dtkd = res.term(Term.DTKD).perSample();
        double[] kd = res.term(Term.KD).perSample();
        for (int i = 0; i < rows; i++) {
            out.printf(Locale.ROOT, "%4d %9.4f %9.4f %8.4f %8.4f %9.4f %9.4f %s%n", i, res.studentMax()[i],
                    res.teacherMax()[i], res.studentTemperatures()[i], res.teacherTemperatures()[i], dtkd[i], kd[i],
                    res.guarded()[i] ? "guarded: maxima of opposite sign, T used for both" : "");
        }
        out.println();
        for (Term term : res.terms().keySet()) {
            out.printf(Locale.ROOT, "%-7s = %.6f%n", term.outputName(), res.term(term).value());
        }
        out.printf(Locale.ROOT, "warmup  = %.4f%ntotal   = %.6f   (warmup·(%.0f·L_dtkd + %.0f·L_kd) + %.0f·L_ce)%n",
                res.warmupFactor(), res.total(), config.alpha(), config.beta(), config.ceWeight());
        out.printf(Locale.ROOT, "guarded rows = %d%n", res.guardedRows());
    }
}
