package org.dtkd4j.examples.cli;

import org.dtkd4j.core.config.Method;
import org.dtkd4j.core.engine.Distiller;
import org.dtkd4j.examples.study.SeedStatistics;
import org.dtkd4j.examples.testdata.TinyExperiment;
import org.dtkd4j.examples.testdata.TinyFashionMnist;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code dtkd study} end to end at tiny scale: a resnet8 teacher (1 epoch) and KD and DTKD resnet8 students, 2 seeds
 * of 2 epochs each, on 96 of 120 tiny Fashion-MNIST training images read as 3x32x32. The table must be what the
 * runs' metrics.csv say, the methods of a seed must start from the same weights, and a study killed in the middle
 * of a run must continue to the same table.
 */
class StudyCommandTest {

    @TempDir
    static Path tmp;

    static Path data;
    static Path cfg;
    static Path study;
    static Cli.Result first;
    static String firstTable;

    /** The study's arguments, after {@code study}. */
    static Object[] args(Path out, Object... more) {
        List<Object> all = new ArrayList<>(List.of("study", "--cfg", cfg, "--dataset-dir", data, "--dataset-type",
                "fashion-mnist-32", "--methods", "kd,DTKD", "--seeds", "2", "--teacher-epochs", "1", "--epochs", "2",
                "--train-subset", "96", "--out", out, "LOG.SAVE_CHECKPOINT_FREQ", "1", "DTKD.WARMUP", "1"));
        all.addAll(List.of(more));
        return all.toArray();
    }

    @BeforeAll
    static void runTheStudy() throws IOException {
        data = TinyFashionMnist.write(tmp.resolve("fmnist"), 120, 40);
        cfg = TinyExperiment.write(tmp.resolve("tiny.yaml"));
        study = tmp.resolve("study");
        first = Cli.run(0, args(study));
        firstTable = Files.readString(study.resolve(Study.TABLE_TXT));
    }

    /** The test top-1 column of a run's metrics.csv. */
    private static double[] column(Path run, String name) throws IOException {
        List<String> lines = Files.readAllLines(run.resolve(Distiller.METRICS_FILE));
        int c = Arrays.asList(lines.get(0).split(",")).indexOf(name);
        return lines.stream().skip(1).mapToDouble(l -> {
            String cell = l.split(",", -1)[c];
            return cell.isEmpty() ? Double.NaN : Double.parseDouble(cell);
        }).toArray();
    }

    private static double best(Path run) throws IOException {
        return Arrays.stream(column(run, "test_top1")).max().orElseThrow();
    }

    private static double last(Path run) throws IOException {
        double[] top1 = column(run, "test_top1");
        return top1[top1.length - 1];
    }

    private static String pct(double fraction) {
        return String.format(Locale.ROOT, "%.2f", 100 * fraction);
    }

    @Test
    void writesTheTeacherAndOneRunDirectoryPerMethodAndSeed() throws IOException {
        for (String run : List.of("teacher-resnet8", "kd-seed0", "dtkd-seed0", "kd-seed1", "dtkd-seed1")) {
            Path dir = study.resolve(run);
            for (String file : List.of(Distiller.CONFIG_FILE, Distiller.SUMMARY_FILE, RunSetup.EXPERIMENT_FILE,
                    "checkpoints/latest.zip", "accuracy.png")) {
                assertThat(dir.resolve(file)).as(run + "/" + file).isNotEmptyFile();
            }
            assertThat(Files.readString(dir.resolve(Distiller.CONFIG_FILE)))
                    .contains("\"train_data\" : \"fashion-mnist-32-train[first 96]\"").contains("\"train_size\" : 96");
        }
        assertThat(column(study.resolve("teacher-resnet8"), "test_top1")).hasSize(1);
        assertThat(column(study.resolve("dtkd-seed1"), "test_top1")).hasSize(2);
        // the students distil the teacher after its last epoch
        assertThat(Files.readString(study.resolve("dtkd-seed0").resolve(RunSetup.EXPERIMENT_FILE)))
                .contains("TEACHER_WEIGHTS: " + study.toAbsolutePath().normalize()
                        .resolve("teacher-resnet8/checkpoints/latest.zip"));
        for (String file : List.of(Study.PLAN_FILE, RunSetup.EXPERIMENT_FILE, Study.RUNS_CSV, Study.TABLE_CSV,
                Study.TABLE_TXT, Study.PLOT)) {
            assertThat(study.resolve(file)).as(file).isNotEmptyFile();
        }
        assertThat(first.out()).contains("study [1/5] teacher resnet8 -> ").contains("study [5/5] DTKD seed 1 -> ")
                .contains("ETA about ").contains("plot: " + study.toAbsolutePath().normalize().resolve(Study.PLOT));
    }

    @Test
    void theTableIsWhatTheRunsMetricsSay() throws IOException {
        Path kd0 = study.resolve("kd-seed0");
        Path kd1 = study.resolve("kd-seed1");
        Path dtkd0 = study.resolve("dtkd-seed0");
        Path dtkd1 = study.resolve("dtkd-seed1");
        double[] kdBest = {best(kd0), best(kd1)};
        double[] kdLast = {last(kd0), last(kd1)};
        double[] dtkdBest = {best(dtkd0), best(dtkd1)};
        double[] dtkdLast = {last(dtkd0), last(dtkd1)};
        List<String> lines = firstTable.lines().toList();
        int header = lines.indexOf(lines.stream().filter(l -> l.startsWith("method")).findFirst().orElseThrow());
        assertThat(lines.get(header)).containsPattern("method +seeds +best top-1 % +last top-1 % +Δ best vs KD "
                + "\\[95% CI] +Δ last vs KD \\[95% CI] +T_stu +T_tea");
        String kd = lines.get(header + 1);
        String dtkd = lines.get(header + 2);
        assertThat(kd).startsWith("KD ").contains(pct(SeedStatistics.mean(kdBest)) + " ± "
                        + pct(SeedStatistics.sampleStd(kdBest)))
                .contains(pct(SeedStatistics.mean(kdLast)) + " ± " + pct(SeedStatistics.sampleStd(kdLast)))
                .contains("(baseline)").endsWith("4.000  4.000"); // KD's temperature is its fixed T
        SeedStatistics.Interval dBest = SeedStatistics.pairedDifference(dtkdBest, kdBest);
        SeedStatistics.Interval dLast = SeedStatistics.pairedDifference(dtkdLast, kdLast);
        double tStu = (Arrays.stream(column(dtkd0, "t_stu_mean")).average().orElseThrow()
                + Arrays.stream(column(dtkd1, "t_stu_mean")).average().orElseThrow()) / 2;
        double tTea = (Arrays.stream(column(dtkd0, "t_tea_mean")).average().orElseThrow()
                + Arrays.stream(column(dtkd1, "t_tea_mean")).average().orElseThrow()) / 2;
        assertThat(dtkd).startsWith("DTKD ").containsPattern(" 2 ")
                .contains(pct(SeedStatistics.mean(dtkdBest)) + " ± " + pct(SeedStatistics.sampleStd(dtkdBest)))
                .contains(String.format(Locale.ROOT, "%+.2f [%+.2f, %+.2f]", 100 * dBest.mean(), 100 * dBest.low(),
                        100 * dBest.high()))
                .contains(String.format(Locale.ROOT, "%+.2f [%+.2f, %+.2f]", 100 * dLast.mean(), 100 * dLast.low(),
                        100 * dLast.high()))
                .endsWith(String.format(Locale.ROOT, "%.3f  %.3f", tStu, tTea));
        // the temperatures of a sample sum to 2T = 8, so their means do too
        assertThat(tStu + tTea).isCloseTo(8.0, org.assertj.core.api.Assertions.offset(1e-4));
        assertThat(lines.get(header + 3)).startsWith("test top-1 in %, mean ± sample standard deviation over 2 "
                + "seed(s) [0, 1]");
        assertThat(firstTable).contains("t = 12.706").contains("data: fashion-mnist-32-train[first 96], 96 training "
                + "/ 40 test images of 3x32x32").contains("teacher: resnet8 trained by the study (teacher-resnet8, "
                + "epochs 1, the model after the last one)");
        assertThat(first.out()).contains(firstTable);
        // per-run CSV
        assertThat(Files.readAllLines(study.resolve(Study.RUNS_CSV))).hasSize(5)
                .contains("KD,1," + kdBest[1] + "," + bestEpoch(kd1) + "," + kdLast[1] + ",4.0,4.0");
    }

    private static int bestEpoch(Path run) throws IOException {
        double[] top1 = column(run, "test_top1");
        double best = Arrays.stream(top1).max().orElseThrow();
        for (int i = 0; ; i++) {
            if (top1[i] == best) {
                return i + 1;
            }
        }
    }

    @Test
    void theMethodsOfASeedStartFromTheSameWeights() throws IOException {
        String kd0 = Files.readString(study.resolve("kd-seed0").resolve(Study.INITIAL_PARAMS));
        String dtkd0 = Files.readString(study.resolve("dtkd-seed0").resolve(Study.INITIAL_PARAMS));
        String kd1 = Files.readString(study.resolve("kd-seed1").resolve(Study.INITIAL_PARAMS));
        String dtkd1 = Files.readString(study.resolve("dtkd-seed1").resolve(Study.INITIAL_PARAMS));
        assertThat(kd0).matches("[0-9a-f]{64}\n").isEqualTo(dtkd0);
        assertThat(kd1).isEqualTo(dtkd1).isNotEqualTo(kd0);
        assertThat(firstTable).contains("initial weights: identical across the methods of each seed");
        assertThat(study.resolve(Study.INITIAL_DIR).resolve("resnet8-seed0.zip")).isNotEmptyFile();
        assertThat(study.resolve(Study.INITIAL_DIR).resolve("resnet8-seed1.zip")).isNotEmptyFile();
        // and the same data order: the runs' seeds, which fix order and augmentation
        assertThat(Files.readString(study.resolve("dtkd-seed1").resolve(Distiller.CONFIG_FILE)))
                .contains("\"seed\" : 1");
    }

    @Test
    void aKilledStudyContinuesToTheSameTable() throws IOException {
        Path copy = tmp.resolve("killed");
        copyTree(study, copy);
        // killed during the second epoch of KD seed 1: its latest checkpoint and metrics are those of epoch 1 ...
        Path kd1 = copy.resolve("kd-seed1");
        Files.copy(kd1.resolve("checkpoints/epoch-001.zip"), kd1.resolve("checkpoints/latest.zip"),
                StandardCopyOption.REPLACE_EXISTING);
        Files.copy(kd1.resolve("checkpoints/epoch-001.zip"), kd1.resolve("checkpoints/best.zip"),
                StandardCopyOption.REPLACE_EXISTING);
        Files.delete(kd1.resolve("checkpoints/epoch-002.zip"));
        List<String> metrics = Files.readAllLines(kd1.resolve(Distiller.METRICS_FILE));
        Files.write(kd1.resolve(Distiller.METRICS_FILE), metrics.subList(0, 2));
        Files.delete(kd1.resolve(Distiller.SUMMARY_FILE));
        // ... DTKD seed 1 had not started, and the study's table and plot were not written
        deleteTree(copy.resolve("dtkd-seed1"));
        for (String file : List.of(Study.RUNS_CSV, Study.TABLE_CSV, Study.TABLE_TXT, Study.PLOT)) {
            Files.delete(copy.resolve(file));
        }
        String keptLog = Files.readString(copy.resolve("kd-seed0").resolve(Distiller.LOG_FILE));

        Cli.Result resumed = Cli.run(0, args(copy));

        assertThat(resumed.out()).contains("study [1/5] teacher resnet8: finished before, kept")
                .contains("study [2/5] KD seed 0: finished before, kept")
                .contains("study [3/5] DTKD seed 0: finished before, kept")
                .contains("study [4/5] KD seed 1, resuming after epoch 1 -> ")
                .contains("study [5/5] DTKD seed 1 -> ");
        assertThat(copy.resolve("kd-seed0").resolve(Distiller.LOG_FILE)).hasContent(keptLog);
        assertThat(Files.readString(copy.resolve(Study.TABLE_TXT)))
                .isEqualTo(firstTable.replace(study.toAbsolutePath().normalize().toString(),
                        copy.toAbsolutePath().normalize().toString()));
        // the resumed and the redone run computed what the uninterrupted ones did (timings aside)
        for (String run : List.of("kd-seed1", "dtkd-seed1")) {
            assertThat(withoutTimings(copy.resolve(run))).as(run).isEqualTo(withoutTimings(study.resolve(run)));
        }
    }

    /** The metrics.csv rows without the epoch_seconds and samples_per_s cells. */
    private static List<String> withoutTimings(Path run) throws IOException {
        return Files.readAllLines(run.resolve(Distiller.METRICS_FILE)).stream()
                .map(l -> l.substring(0, nthComma(l, l.split(",", -1).length - 2))).toList();
    }

    private static int nthComma(String line, int n) {
        int at = -1;
        for (int i = 0; i < n; i++) {
            at = line.indexOf(',', at + 1);
        }
        return at;
    }

    @Test
    void aStudyDirectoryOfAnotherConfigurationIsLeftAlone() throws IOException {
        String plan = Files.readString(study.resolve(Study.PLAN_FILE));
        Cli.Result r = Cli.run(2, args(study, "SOLVER.LR", "0.1"));
        assertThat(r.err().strip()).isEqualTo("dtkd: study directory " + study.toAbsolutePath().normalize()
                + " holds a study with SOLVER.LR 0.05, found 0.1: continue it with the same configuration, or "
                + "choose another --out");
        assertThat(r.out()).isEmpty();
        assertThat(study.resolve(Study.PLAN_FILE)).hasContent(plan);
    }

    @Test
    void parsesMethodsFromTheMethodEnum() {
        assertThat(StudyCommand.parseMethods(null)).containsExactly(Method.values());
        assertThat(StudyCommand.parseMethods(List.of("dtkd_dkd", " None"))).containsExactly(Method.DTKD_DKD,
                Method.NONE);
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (var files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        }
    }

    static void deleteTree(Path root) throws IOException {
        try (var files = Files.walk(root)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
