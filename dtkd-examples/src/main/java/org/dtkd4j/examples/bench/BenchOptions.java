package org.dtkd4j.examples.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What {@code dtkd bench} measures and how.
 *
 * @param warmup     untimed passes over the rows before the rounds, interleaved like them, each row computing about
 *                   {@code minRoundMs}, &gt;= 0
 * @param rounds     rounds: every row of a group is timed once per round, &gt; 0
 * @param iterations the fewest timed iterations of a row per round, &gt; 0
 * @param minRoundMs rows faster than this get more iterations per round, so that each computes about this long per
 *                   round, &gt;= 0
 * @param epochs     blocks of rounds after each of which memory is read (to check it does not grow), &gt; 0 and
 *                   &lt;= {@code rounds}
 * @param batch      step and inference batch size, &gt; 0
 * @param classes    classes of the step models, &gt;= 2
 * @param lossSizes  loss shapes, at least one
 * @param pairs      teacher→student pairs of the step rows, possibly none
 * @param python     the Python interpreter running the PyTorch side, or {@code null} for none
 * @param seed       seed of the random inputs and models
 * @param levers     levers measured against the baseline in the same rounds, possibly none
 */
public record BenchOptions(int warmup, int rounds, int iterations, double minRoundMs, int epochs, int batch, int classes, List<LossSize> lossSizes,
                           List<ModelPair> pairs, Path python, long seed, Set<Lever> levers) {

    /** The pairs of the speed targets: resnet32x4→resnet8x4 and resnet56→resnet20. */
    public static final List<ModelPair> DEFAULT_PAIRS = List.of(new ModelPair("resnet32x4", "resnet8x4"),
            new ModelPair("resnet56", "resnet20"));
    /** The loss shapes of the speed targets: 64×100 and 256×1000. */
    public static final List<LossSize> DEFAULT_LOSS_SIZES = List.of(new LossSize(64, 100), new LossSize(256, 1000));

    /** Validates every component; messages name the option and the value found. */
    public BenchOptions {
        if (warmup < 0) {
            throw new IllegalArgumentException("--warmup must be >= 0, found " + warmup);
        }
        if (rounds <= 0) {
            throw new IllegalArgumentException("--rounds must be > 0, found " + rounds);
        }
        if (iterations <= 0) {
            throw new IllegalArgumentException("--iterations must be > 0, found " + iterations);
        }
        if (!(minRoundMs >= 0)) {
            throw new IllegalArgumentException("the time per row and round must be >= 0 ms, found " + minRoundMs);
        }
        if (epochs <= 0) {
            throw new IllegalArgumentException("--epochs must be > 0, found " + epochs);
        }
        if (epochs > rounds) {
            throw new IllegalArgumentException("--epochs must be <= --rounds (" + rounds + "), found " + epochs);
        }
        if (batch <= 0) {
            throw new IllegalArgumentException("--batch must be > 0, found " + batch);
        }
        if (classes < 2) {
            throw new IllegalArgumentException("--classes must be >= 2, found " + classes);
        }
        if (lossSizes == null || lossSizes.isEmpty()) {
            throw new IllegalArgumentException("--loss-sizes must name at least one size, found none");
        }
        lossSizes = List.copyOf(lossSizes);
        pairs = List.copyOf(pairs);
        levers = levers.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(levers));
    }

    /**
     * A loss input shape.
     *
     * @param n rows (batch), &gt; 0
     * @param c classes, &gt;= 2
     */
    public record LossSize(int n, int c) {

        /** Validates the shape. */
        public LossSize {
            if (n <= 0 || c < 2) {
                throw new IllegalArgumentException("a loss size needs N > 0 and C >= 2, found " + n + "x" + c);
            }
        }

        /**
         * @param text {@code NxC}, e.g. {@code 64x100}
         * @return the size
         */
        public static LossSize parse(String text) {
            String[] parts = text.trim().toLowerCase(Locale.ROOT).split("x");
            try {
                if (parts.length == 2) {
                    return new LossSize(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
                }
            } catch (NumberFormatException e) {
                // reported below with the whole value
            }
            throw new IllegalArgumentException("a loss size must be NxC (e.g. 64x100), found '" + text + "'");
        }

        @Override
        public String toString() {
            return n + "x" + c;
        }
    }

    /**
     * A teacher and the student distilled from it.
     *
     * @param teacher a {@link org.dtkd4j.zoo.CifarZoo} name
     * @param student a {@link org.dtkd4j.zoo.CifarZoo} name
     */
    public record ModelPair(String teacher, String student) {

        /** Validates the names are present. */
        public ModelPair {
            if (teacher == null || teacher.isBlank() || student == null || student.isBlank()) {
                throw new IllegalArgumentException("a pair needs a teacher and a student name, found '" + teacher
                        + ":" + student + "'");
            }
        }

        /**
         * @param text {@code teacher:student}, e.g. {@code resnet32x4:resnet8x4}
         * @return the pair
         */
        public static ModelPair parse(String text) {
            String[] parts = text.trim().split(":");
            if (parts.length != 2) {
                throw new IllegalArgumentException("a pair must be teacher:student (e.g. resnet32x4:resnet8x4), "
                        + "found '" + text + "'");
            }
            return new ModelPair(parts[0], parts[1]);
        }

        @Override
        public String toString() {
            return teacher + "->" + student;
        }
    }

    /**
     * @param text comma-separated items
     * @return the items, trimmed, without empty ones
     */
    static List<String> items(String text) {
        List<String> out = new ArrayList<>();
        for (String s : text.split(",")) {
            if (!s.isBlank()) {
                out.add(s.trim());
            }
        }
        return out;
    }
}
