package org.dtkd4j.examples.config;

import org.dtkd4j.core.config.ConfigKey;
import org.dtkd4j.core.config.DistillationConfig;
import org.dtkd4j.core.config.Method;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Every key of the reference's {@code mdistiller/engine/cfg.py} (JinYu1998/DTKD) with its default, in the
 * reference's order except that the sections of the implemented methods come from the {@link Method} registry and
 * follow {@code LOG}, then this library's {@code DTKD4J} section (its keys are documented at
 * {@link ExperimentConfig.Extensions}); and the decoding of values by the type of the
 * default, as yacs' {@code _decode_cfg_value} and {@code _check_and_coerce_cfg_value_type} do.
 *
 * <p>Two deliberate differences from yacs: a float-valued key accepts an integer (yacs rejects {@code 3} where the
 * default is {@code 3.0}), and {@code KD.TEMPERATURE} and {@code DTKD.T}, integers in cfg.py ({@code 4}), are
 * float-valued here because the losses take a real temperature (yacs rejects {@code DTKD.T 4.5}).
 */
final class Schema {

    /** The value types of the schema. */
    enum Type {
        STRING("a string"), INT("an integer"), FLOAT("a number"), BOOL("a boolean (True or False)"),
        INT_LIST("a list of integers such as [150, 180, 210]");

        private final String description;

        Type(String description) {
            this.description = description;
        }
    }

    /**
     * One key.
     *
     * @param name         the dotted key, e.g. {@code SOLVER.LR}
     * @param type         its value type
     * @param defaultValue its default ({@code String}, {@code Integer}, {@code Double}, {@code Boolean} or an
     *                     unmodifiable {@code List<Integer>})
     */
    record Key(String name, Type type, Object defaultValue) {
    }

    /** This library's section; the reference does not have it (and would reject it as an unknown key). */
    static final String EXTENSION_SECTION = "DTKD4J";

    /** Every key, in the reference's order, then {@link #EXTENSION_SECTION}. */
    static final Map<String, Key> KEYS;

    /**
     * The keys of the methods' sections ({@code KD.*}, {@code DKD.*}, {@code DTKD.*}, ...), as the {@link Method}
     * registry's records declare them ({@link DistillationConfig#officialKeys()}), with their kinds. A section that
     * several methods share takes its defaults from the first of them in the registry.
     */
    static final Map<String, ConfigKey.Kind> METHOD_KEYS;

    /** Every section (dotted prefix), including the reference's empty {@code DTKD.LOSS}. */
    static final Set<String> SECTIONS;

    private static final Pattern INT = Pattern.compile("[+-]?\\d+");
    private static final Pattern FLOAT = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?");

    static {
        Map<String, Key> k = new LinkedHashMap<>();
        str(k, "EXPERIMENT.PROJECT", "distill");
        str(k, "EXPERIMENT.NAME", "");
        str(k, "EXPERIMENT.TAG", "default");
        bool(k, "EXPERIMENT.LOGIT_STAND", false);

        str(k, "DATASET.TYPE", "cifar100");
        integer(k, "DATASET.NUM_WORKERS", 2);
        integer(k, "DATASET.TEST.BATCH_SIZE", 64);

        str(k, "DISTILLER.TYPE", "NONE");
        str(k, "DISTILLER.TEACHER", "ResNet50");
        str(k, "DISTILLER.STUDENT", "resnet32");

        str(k, "SOLVER.TRAINER", "base");
        integer(k, "SOLVER.BATCH_SIZE", 64);
        integer(k, "SOLVER.EPOCHS", 240);
        real(k, "SOLVER.LR", 0.05);
        ints(k, "SOLVER.LR_DECAY_STAGES", 150, 180, 210);
        real(k, "SOLVER.LR_DECAY_RATE", 0.1);
        real(k, "SOLVER.WEIGHT_DECAY", 0.0001);
        real(k, "SOLVER.MOMENTUM", 0.9);
        str(k, "SOLVER.TYPE", "SGD");

        integer(k, "LOG.TENSORBOARD_FREQ", 500);
        integer(k, "LOG.SAVE_CHECKPOINT_FREQ", 40);
        str(k, "LOG.PREFIX", "./output");
        bool(k, "LOG.WANDB", true);

        Map<String, ConfigKey.Kind> methodKeys = new LinkedHashMap<>();
        for (Method method : Method.values()) {
            for (ConfigKey key : method.defaultConfig().officialKeys()) {
                if (!methodKeys.containsKey(key.name())) {
                    methodKeys.put(key.name(), key.kind());
                    put(k, key.name(), key.kind() == ConfigKey.Kind.EPOCHS ? Type.INT : Type.FLOAT, key.value());
                }
            }
        }
        METHOD_KEYS = Collections.unmodifiableMap(methodKeys);

        integer(k, "AT.P", 2);
        real(k, "AT.LOSS.CE_WEIGHT", 1.0);
        real(k, "AT.LOSS.FEAT_WEIGHT", 1000.0);

        integer(k, "RKD.DISTANCE_WEIGHT", 25);
        integer(k, "RKD.ANGLE_WEIGHT", 50);
        real(k, "RKD.LOSS.CE_WEIGHT", 1.0);
        real(k, "RKD.LOSS.FEAT_WEIGHT", 1.0);
        real(k, "RKD.PDIST.EPSILON", 1e-12);
        bool(k, "RKD.PDIST.SQUARED", false);

        integer(k, "FITNET.HINT_LAYER", 2);
        ints(k, "FITNET.INPUT_SIZE", 32, 32);
        real(k, "FITNET.LOSS.CE_WEIGHT", 1.0);
        real(k, "FITNET.LOSS.FEAT_WEIGHT", 100.0);

        integer(k, "KDSVD.K", 1);
        real(k, "KDSVD.LOSS.CE_WEIGHT", 1.0);
        real(k, "KDSVD.LOSS.FEAT_WEIGHT", 1.0);

        real(k, "OFD.LOSS.CE_WEIGHT", 1.0);
        real(k, "OFD.LOSS.FEAT_WEIGHT", 0.001);
        integer(k, "OFD.CONNECTOR.KERNEL_SIZE", 1);

        real(k, "NST.LOSS.CE_WEIGHT", 1.0);
        real(k, "NST.LOSS.FEAT_WEIGHT", 50.0);

        real(k, "PKT.LOSS.CE_WEIGHT", 1.0);
        real(k, "PKT.LOSS.FEAT_WEIGHT", 30000.0);

        real(k, "SP.LOSS.CE_WEIGHT", 1.0);
        real(k, "SP.LOSS.FEAT_WEIGHT", 3000.0);

        real(k, "VID.LOSS.CE_WEIGHT", 1.0);
        real(k, "VID.LOSS.FEAT_WEIGHT", 1.0);
        real(k, "VID.EPS", 1e-5);
        real(k, "VID.INIT_PRED_VAR", 5.0);
        ints(k, "VID.INPUT_SIZE", 32, 32);

        str(k, "CRD.MODE", "exact");
        integer(k, "CRD.FEAT.DIM", 128);
        integer(k, "CRD.FEAT.STUDENT_DIM", 256);
        integer(k, "CRD.FEAT.TEACHER_DIM", 256);
        real(k, "CRD.LOSS.CE_WEIGHT", 1.0);
        real(k, "CRD.LOSS.FEAT_WEIGHT", 0.8);
        integer(k, "CRD.NCE.K", 16384);
        real(k, "CRD.NCE.MOMENTUM", 0.5);
        real(k, "CRD.NCE.TEMPERATURE", 0.07);

        real(k, "REVIEWKD.CE_WEIGHT", 1.0);
        real(k, "REVIEWKD.REVIEWKD_WEIGHT", 1.0);
        integer(k, "REVIEWKD.WARMUP_EPOCHS", 20);
        ints(k, "REVIEWKD.SHAPES", 1, 8, 16, 32);
        ints(k, "REVIEWKD.OUT_SHAPES", 1, 8, 16, 32);
        ints(k, "REVIEWKD.IN_CHANNELS", 64, 128, 256, 256);
        ints(k, "REVIEWKD.OUT_CHANNELS", 64, 128, 256, 256);
        integer(k, "REVIEWKD.MAX_MID_CHANNEL", 512);
        bool(k, "REVIEWKD.STU_PREACT", false);

        String x = EXTENSION_SECTION + ".";
        str(k, x + "DATASET_TYPE", "");
        str(k, x + "DATASET_DIR", "");
        integer(k, x + "TRAIN_SUBSET", 0);
        integer(k, x + "TRAIN_PER_CLASS", 0);
        str(k, x + "TEACHER_WEIGHTS", "");
        str(k, x + "RUN_DIR", "");
        integer(k, x + "SEED", 0);
        integer(k, x + "THREADS", 0);
        integer(k, x + "WORKERS", 1);
        str(k, x + "AUGMENTATION", "reference");
        bool(k, x + "CACHE_TEACHER_LOGITS", false);
        bool(k, x + "CACHE_CONV_ACTIVATIONS", true);
        bool(k, x + "FUSED_BATCH_NORM", true);
        bool(k, x + "FOLD_TEACHER_BATCH_NORM", true);
        bool(k, x + "TEACHER_CHANNELS_LAST", true);
        str(k, x + "HAZARD_POLICY", "GUARDED");
        bool(k, x + "DETACH_TEMPERATURES", false);
        KEYS = Collections.unmodifiableMap(k);

        Set<String> sections = new LinkedHashSet<>();
        for (String key : k.keySet()) {
            for (int dot = key.indexOf('.'); dot > 0; dot = key.indexOf('.', dot + 1)) {
                sections.add(key.substring(0, dot));
            }
        }
        sections.add("DTKD.LOSS");
        SECTIONS = Collections.unmodifiableSet(sections);
    }

    private Schema() {
    }

    private static void put(Map<String, Key> keys, String name, Type type, Object value) {
        keys.put(name, new Key(name, type, value));
    }

    private static void str(Map<String, Key> keys, String name, String value) {
        put(keys, name, Type.STRING, value);
    }

    private static void integer(Map<String, Key> keys, String name, int value) {
        put(keys, name, Type.INT, value);
    }

    private static void real(Map<String, Key> keys, String name, double value) {
        put(keys, name, Type.FLOAT, value);
    }

    private static void bool(Map<String, Key> keys, String name, boolean value) {
        put(keys, name, Type.BOOL, value);
    }

    private static void ints(Map<String, Key> keys, String name, Integer... values) {
        put(keys, name, Type.INT_LIST, List.of(values));
    }

    /** @return every key mapped to its default, in schema order (a fresh mutable map) */
    static Map<String, Object> defaults() {
        Map<String, Object> values = new LinkedHashMap<>();
        KEYS.forEach((name, key) -> values.put(name, key.defaultValue()));
        return values;
    }

    /**
     * @param name a dotted key
     * @return its schema entry
     * @throws IllegalArgumentException naming the key, and the closest valid key if one is obvious, for an unknown
     *                                  key or a section
     */
    static Key key(String name) {
        Key key = KEYS.get(name);
        if (key != null) {
            return key;
        }
        if (SECTIONS.contains(name)) {
            throw new IllegalArgumentException(name + " is a section, not a value; set one of its keys, e.g. "
                    + KEYS.keySet().stream().filter(n -> n.startsWith(name + ".")).findFirst().orElse(name + ".?"));
        }
        throw unknown(name);
    }

    /** @return an exception naming an unknown key (or section) and the closest valid one, if obvious */
    static IllegalArgumentException unknown(String name) {
        List<String> candidates = new ArrayList<>(KEYS.keySet());
        candidates.addAll(SECTIONS);
        String close = closest(name, candidates);
        return new IllegalArgumentException("unknown config key " + name
                + (close == null ? "" : " (did you mean " + close + "?)"));
    }

    /**
     * Decodes a value loaded from YAML: strings are decoded by {@link #decodeText}, as yacs decodes strings with
     * {@code literal_eval} ({@code 5e-4} is a string in YAML 1.1); other values must have the key's type.
     *
     * @param key the key
     * @param raw what SnakeYAML loaded
     * @return the value, of the key's Java type
     * @throws IllegalArgumentException naming the key and the value found
     */
    static Object decode(Key key, Object raw) {
        if (raw instanceof String s) {
            return decodeText(key, s);
        }
        switch (key.type()) {
            case INT -> {
                if (raw instanceof Integer i) {
                    return i;
                }
                if (raw instanceof Long || raw instanceof BigInteger) {
                    throw new IllegalArgumentException(key.name() + " is out of the integer range, found " + raw);
                }
            }
            case FLOAT -> {
                if (raw instanceof Number n) {
                    return n.doubleValue();
                }
            }
            case BOOL -> {
                if (raw instanceof Boolean b) {
                    return b;
                }
            }
            case INT_LIST -> {
                if (raw instanceof List<?> list) {
                    List<Integer> out = new ArrayList<>();
                    for (Object e : list) {
                        if (e instanceof Integer i) {
                            out.add(i);
                        } else if (e instanceof String s && INT.matcher(s.trim()).matches()) {
                            out.add(parseInt(key, s.trim()));
                        } else {
                            throw mismatch(key, raw);
                        }
                    }
                    return List.copyOf(out);
                }
            }
            case STRING -> {
                // a non-string scalar where a string is expected: fall through to the error, which suggests quoting
            }
        }
        throw mismatch(key, raw);
    }

    /**
     * Decodes a value written as text (a command-line override, or a YAML string) by the type of the key's
     * default: {@code 0.01}, {@code 5e-4}, {@code 240}, {@code True}, {@code [150,180,210]} or {@code (32, 32)};
     * for a string key the text itself, without one pair of enclosing quotes.
     *
     * @param key  the key
     * @param text the text
     * @return the value, of the key's Java type
     * @throws IllegalArgumentException naming the key and the text found
     */
    static Object decodeText(Key key, String text) {
        String t = text.trim();
        switch (key.type()) {
            case STRING -> {
                boolean quoted = t.length() >= 2 && (t.charAt(0) == '"' || t.charAt(0) == '\'')
                        && t.charAt(t.length() - 1) == t.charAt(0);
                return quoted ? t.substring(1, t.length() - 1) : text;
            }
            case INT -> {
                if (INT.matcher(t).matches()) {
                    return parseInt(key, t);
                }
            }
            case FLOAT -> {
                if (FLOAT.matcher(t).matches()) {
                    return Double.parseDouble(t);
                }
            }
            case BOOL -> {
                if (t.equalsIgnoreCase("true") || t.equalsIgnoreCase("false")) {
                    return Boolean.parseBoolean(t);
                }
            }
            case INT_LIST -> {
                boolean bracketed = t.length() >= 2 && ((t.startsWith("[") && t.endsWith("]"))
                        || (t.startsWith("(") && t.endsWith(")")));
                if (bracketed) {
                    String inner = t.substring(1, t.length() - 1).trim();
                    List<Integer> out = new ArrayList<>();
                    String[] cells = inner.isEmpty() ? new String[0] : inner.split(",", -1);
                    for (int i = 0; i < cells.length; i++) {
                        String c = cells[i].trim();
                        if (c.isEmpty() && i == cells.length - 1 && i > 0) {
                            break; // Python's trailing comma, e.g. (32,)
                        }
                        if (!INT.matcher(c).matches()) {
                            throw mismatch(key, text);
                        }
                        out.add(parseInt(key, c));
                    }
                    return List.copyOf(out);
                }
            }
        }
        throw mismatch(key, text);
    }

    private static int parseInt(Key key, String digits) {
        try {
            return Integer.parseInt(digits.startsWith("+") ? digits.substring(1) : digits);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key.name() + " is out of the integer range, found " + digits, e);
        }
    }

    private static IllegalArgumentException mismatch(Key key, Object found) {
        String hint = key.type() == Type.STRING && found != null && !(found instanceof Map) ? " (quote it in YAML)" : "";
        return new IllegalArgumentException(key.name() + " must be " + key.type().description + ", found "
                + describe(found) + hint);
    }

    /** @return how an offending value is shown in a message */
    static String describe(Object value) {
        if (value == null) {
            return "an empty value";
        }
        if (value instanceof String s) {
            return "'" + s + "'";
        }
        if (value instanceof Map<?, ?> m) {
            return "a section " + m;
        }
        return value.getClass().getSimpleName().toLowerCase(Locale.ROOT) + " " + value;
    }

    /**
     * The candidate closest to a misspelt name, if the match is obvious: equal ignoring case, or within an edit
     * distance of a third of the name's length (at least 1, at most 3).
     *
     * @param name       the misspelt name
     * @param candidates the valid names
     * @return the closest candidate, or {@code null} if none is obviously meant
     */
    static String closest(String name, Collection<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        String upper = name.toUpperCase(Locale.ROOT);
        for (String c : candidates) {
            int d = c.toUpperCase(Locale.ROOT).equals(upper) ? 0 : distance(name, c);
            if (d < bestDistance) {
                best = c;
                bestDistance = d;
            }
        }
        return bestDistance <= Math.min(3, Math.max(1, name.length() / 3)) ? best : null;
    }

    /** Levenshtein distance. */
    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int subst = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(subst, Math.min(prev[j], cur[j - 1]) + 1);
            }
            int[] swap = prev;
            prev = cur;
            cur = swap;
        }
        return prev[b.length()];
    }
}
