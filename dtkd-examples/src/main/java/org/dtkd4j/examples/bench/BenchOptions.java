package org.dtkd4j.examples.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What {@code dtkd bench} measures and how.
 *
 * @param warmup     untimed iterations before each row, &gt;= 0
 * @param iterations timed iterations per epoch, &gt; 0
 * @param epochs     epochs per row (memory is read after each to check it does not grow), &gt; 0
 * @param batch      step and inference batch size, &gt; 0
 * @param classes    classes of the step models, &gt;= 2
 * @param lossSizes  loss shapes, at least one
 * @param pairs      teacher→student pairs of the step rows, possibly none
 * @param python     the Python interpreter running the PyTorch side, or {@code null} for none
 * @param seed       seed of the random inputs and models
 */
public record BenchOptions(int warmup, int iterations, int epochs, int batch, int classes, List<LossSize> lossSizes,
                           List<ModelPair> pairs, Path python, long seed) {

    /** The default model pairs: resnet32x4→resnet8x4 and resnet56→resnet20. */
    public static final List<ModelPair> DEFAULT_PAIRS = List.of(new ModelPair("resnet32x4", "resnet8x4"),
            new ModelPair("resnet56", "resnet20"));
    /** The default loss shapes: 64×100 and 256×1000. */
    public static final List<LossSize> DEFAULT_LOSS_SIZES = List.of(new LossSize(64, 100), new LossSize(256, 1000));

    /** Validates every component; messages name the option and the value found. */
    public BenchOptions {
        if (warmup < 0) {
            throw new IllegalArgumentException("--warmup must be >= 0, found " + warmup);
        }
        if (iterations <= 0) {
            throw new IllegalArgumentException("--iterations must be > 0, found " + iterations);
        }
        if (epochs <= 0) {
            throw new IllegalArgumentException("--epochs must be > 0, found " + epochs);
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
