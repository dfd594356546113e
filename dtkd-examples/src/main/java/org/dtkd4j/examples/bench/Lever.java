package org.dtkd4j.examples.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A speed lever the bench can measure against the baseline in the same rounds: its rows carry the lever's suffix
 * ({@code +conv-cache}), and each is compared with the row without it (the same id without the suffix) and with the
 * baseline's PyTorch row. With several levers named, each method also gets a step row with all of them
 * ({@code +conv-cache+fused-bn+bn-fold}: the engine's defaults and a folded teacher), on the teacher with every
 * teacher lever named.
 */
public enum Lever {
    /**
     * The student's convolutions keep their forward activations for backprop
     * ({@code Distiller.Builder.cacheConvActivations}): one more step row per method. The baseline step rows run
     * without the cache, although the engine's default is with it, so that the bench keeps measuring what it saves.
     */
    CONV_CACHE("conv-cache", true),
    /**
     * The student's BatchNorm layers run dtkd4j's fused kernel ({@code Distiller.Builder.fusedBatchNorm}): one more
     * step row per method. The baseline step rows run on DL4J's oneDNN helper, although the engine's default is the
     * fused kernel.
     */
    FUSED_BN("fused-bn", true),
    /** The teacher's BatchNorm folded into its convolutions ({@code GraphTeacher.foldingBatchNorm}): one more teacher
     * inference row. */
    BN_FOLD("bn-fold", false),
    /**
     * The teacher built channels-last with the same parameters ({@code CifarZoo.channelsLast}): one more teacher
     * inference row (and one with every teacher lever when {@link #BN_FOLD} is named too).
     */
    CHANNELS_LAST("channels-last", false);

    private final String option;
    private final boolean student;

    Lever(String option, boolean student) {
        this.option = option;
        this.student = student;
    }

    /**
     * The variants that step rows measure besides the baseline: each student lever named alone, then, when several
     * levers are named, all of them together (a step with teacher levers runs the teacher with them).
     *
     * @param levers the levers named
     * @return the variants, each a non-empty set of levers
     */
    public static List<Set<Lever>> stepVariants(Set<Lever> levers) {
        List<Set<Lever>> out = new ArrayList<>();
        for (Lever l : levers) {
            if (l.student) {
                out.add(EnumSet.of(l));
            }
        }
        if (levers.size() > 1) {
            out.add(EnumSet.copyOf(levers));
        }
        return out;
    }

    /**
     * The teachers that inference rows measure besides the baseline: each teacher lever named alone, then, when
     * several are named, all of them together.
     *
     * @param levers the levers named
     * @return the variants, each a non-empty set of teacher levers
     */
    public static List<Set<Lever>> teacherVariants(Set<Lever> levers) {
        Set<Lever> all = teacherLevers(levers);
        List<Set<Lever>> out = new ArrayList<>();
        for (Lever l : all) {
            out.add(EnumSet.of(l));
        }
        if (all.size() > 1) {
            out.add(all);
        }
        return out;
    }

    /**
     * @param levers levers
     * @return the teacher levers among them
     */
    public static Set<Lever> teacherLevers(Set<Lever> levers) {
        Set<Lever> out = EnumSet.noneOf(Lever.class);
        for (Lever l : levers) {
            if (!l.student) {
                out.add(l);
            }
        }
        return out;
    }

    /**
     * @param levers levers
     * @return their suffixes in declaration order, e.g. {@code +conv-cache+fused-bn}
     */
    public static String suffix(Set<Lever> levers) {
        StringBuilder s = new StringBuilder();
        for (Lever l : values()) {
            if (levers.contains(l)) {
                s.append(l.suffix());
            }
        }
        return s.toString();
    }

    /** @return the name on the command line and the row suffix without its {@code +} */
    public String option() {
        return option;
    }

    /** @return the suffix of the lever's row ids and labels, e.g. {@code +conv-cache} */
    public String suffix() {
        return "+" + option;
    }

    /**
     * @param items option names (any case), or {@code none}
     * @return the levers named
     * @throws IllegalArgumentException naming an unknown lever and the known ones
     */
    public static Set<Lever> parse(List<String> items) {
        Set<Lever> out = EnumSet.noneOf(Lever.class);
        for (String item : items) {
            String s = item.trim().toLowerCase(Locale.ROOT);
            if (s.equals("none")) {
                continue;
            }
            Lever found = null;
            for (Lever l : values()) {
                if (l.option.equals(s)) {
                    found = l;
                }
            }
            if (found == null) {
                throw new IllegalArgumentException("--levers must name " + Arrays.stream(values())
                        .map(Lever::option).collect(Collectors.joining(", ")) + " or none, found '" + item + "'");
            }
            out.add(found);
        }
        return out;
    }

    /**
     * @param id a row id
     * @return the id of the baseline row the lever row {@code id} is compared with ({@code id} itself for a baseline
     *     row)
     */
    public static String baseline(String id) {
        int plus = id.indexOf('+');
        return plus < 0 ? id : id.substring(0, plus);
    }
}
