package org.dtkd4j.examples.cli;

import org.dtkd4j.core.config.DtkdConfig;
import org.dtkd4j.core.data.Datasets;
import org.dtkd4j.core.engine.Progress;
import org.dtkd4j.core.loss.DistillationLosses;
import org.dtkd4j.core.loss.LossResult;
import org.dtkd4j.core.loss.Term;
import org.dtkd4j.examples.demo.DemoOptions;
import org.dtkd4j.examples.demo.FashionDemo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * {@code dtkd demo}: the README's main job, {@link FashionDemo}: a teacher and three students (NONE, KD, DTKD) on
 * Fashion-MNIST, a table of test top-1 and seconds, run directories with plots. {@code --sample-batch} prints DTKD on
 * a sample batch instead (seeded random logits; one row with maxima of opposite sign to show the GUARDED policy):
 * per-row maxima and temperatures, per-row DTKD/KD terms, and the batch loss terms.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Distil a " + FashionDemo.TEACHER + " teacher into " + FashionDemo.STUDENT + " students (NONE, "
                + "KD, DTKD) on Fashion-MNIST (Debian's "
                + "dataset-fashion-mnist if installed, else the bundled subset); print a table and write run "
                + "directories with plots.",
            "With --sample-batch: print DTKD temperatures and loss terms for a sample batch."})
final class DemoCommand implements Runnable {

    /** Options of the training demo, refused with --sample-batch. */
    private static final List<String> TRAINING_OPTIONS = List.of("--out", "--epochs", "--quick", "--data");
    /** Options of the sample batch, refused without --sample-batch. */
    private static final List<String> SAMPLE_OPTIONS = List.of("--rows", "--classes", "--epoch");

    @Spec
    private CommandSpec spec;

    @Option(names = "--out", description = "directory of the run directories and compare.png (default runs/demo); "
            + "a previous demo's runs in it are replaced")
    private Path out;

    @Option(names = "--epochs", description = "epochs of each student (default " + DemoOptions.STUDENT_EPOCHS
            + "; the teacher trains " + DemoOptions.TEACHER_EPOCHS + ")")
    private Integer epochs;

    @Option(names = "--quick", description = "the same pipeline at test size: 1 epoch each on 6 training and 6 test "
            + "images per class (seconds)")
    private boolean quick;

    @Option(names = "--data", description = "directory of the full Fashion-MNIST files (default "
            + "/usr/share/datasets/fashion-mnist); the bundled subset is used if they are not there")
    private Path data;

    @Option(names = "--seed", defaultValue = "42", description = "seed of initialisation, data order and "
            + "augmentation, or of the sample logits (default ${DEFAULT-VALUE})")
    private long seed;

    @Option(names = "--sample-batch", description = "print DTKD temperatures and loss terms for a sample batch")
    private boolean sampleBatch;

    @Option(names = "--rows", defaultValue = "6", description = "--sample-batch: rows (default ${DEFAULT-VALUE})")
    private int rows;

    @Option(names = "--classes", defaultValue = "10", description = "--sample-batch: classes (default ${DEFAULT-VALUE})")
    private int classes;

    @Option(names = "--epoch", defaultValue = "30", description = "--sample-batch: reference epoch, for the warmup "
            + "(default ${DEFAULT-VALUE})")
    private int epoch;

    @Override
    public void run() {
        List<String> misplaced = (sampleBatch ? TRAINING_OPTIONS : SAMPLE_OPTIONS).stream()
                .filter(spec.commandLine().getParseResult()::hasMatchedOption).toList();
        if (!misplaced.isEmpty()) {
            throw new IllegalArgumentException(String.join(", ", misplaced) + (sampleBatch
                    ? " cannot be combined with --sample-batch" : " only applies with --sample-batch"));
        }
        if (sampleBatch) {
            sampleBatch(spec.commandLine().getOut());
            return;
        }
        DemoOptions options = (quick ? DemoOptions.quick() : DemoOptions.defaults()).withSeed(seed)
                .withFashionMnistDir(data == null ? Datasets.FASHION_MNIST_DIR : data);
        if (out != null) {
            options = options.withOutDir(out);
        }
        if (epochs != null) {
            options = options.withStudentEpochs(epochs);
        }
        FashionDemo.run(options, WriterStream.of(spec.commandLine().getOut()), Progress.onStderr());
    }

    private void sampleBatch(PrintWriter out) {
        if (rows < 2) {
            throw new IllegalArgumentException("--rows must be >= 2, found " + rows);
        }
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
