package org.dtkd4j.examples.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The bench's result: a header (machine, threads, kernels, load, date), one table row per DL4J row with its PyTorch
 * counterpart measured in the same rounds, the targets with their verdicts ({@link Targets}), and notes on the
 * machine's state after the run. Prints as one table; writes JSON or CSV.
 */
public final class BenchReport {

    /** Columns of the CSV, in order (the printed table shows the same, quartiles as {@code q1-q3}). */
    public static final List<String> COLUMNS = List.of("row", "dl4j_ms", "dl4j_q1", "dl4j_q3", "torch_ms", "torch_q1",
            "torch_q3", "dl4j_over_torch", "ratio_low", "ratio_high", "dl4j_samples_per_s", "heap_mb", "offheap_mb",
            "rss_mb", "torch_rss_mb", "memory");

    private static final double MB = 1024.0 * 1024.0;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Map<String, String> header;
    private final Map<String, Measurement> rows = new LinkedHashMap<>();
    private final String torchStatus;
    private final List<String> notes;

    /**
     * @param header      machine and run facts, printed in order as {@code key: value}
     * @param rows        every row measured, both sides, in table order
     * @param torchStatus what the PyTorch column holds, e.g. {@code "PyTorch 1.13.1, /usr/bin/python3"} or why it
     *                    is empty
     * @param notes       lines printed after the targets (machine state after the run, warnings)
     */
    public BenchReport(Map<String, String> header, List<Measurement> rows, String torchStatus, List<String> notes) {
        this.header = new LinkedHashMap<>(header);
        for (Measurement m : rows) {
            if (this.rows.put(m.id(), m) != null) {
                throw new IllegalArgumentException("two rows with id " + m.id());
            }
        }
        this.torchStatus = torchStatus;
        this.notes = List.copyOf(notes);
    }

    /** @return the DL4J rows, in table order */
    public List<Measurement> dl4jRows() {
        return rows.values().stream().filter(m -> m.side() == Measurement.Side.DL4J).toList();
    }

    /**
     * @param row a DL4J row
     * @return its PyTorch counterpart, if measured (loss rows share one PyTorch row per method and size)
     */
    public Optional<Measurement> torchRow(Measurement row) {
        return Optional.ofNullable(rows.get(Measurement.Side.PYTORCH.id(torchId(row.id()))));
    }

    /**
     * @return the PyTorch id of a DL4J row id: lever rows share their baseline's, loss rows drop their implementation
     *     suffix
     */
    static String torchId(String id) {
        String base = Lever.baseline(id);
        return base.startsWith("loss/") ? base.substring(0, base.lastIndexOf('/')) : base;
    }

    /** @return the targets computable from the rows measured, with their verdicts */
    public List<Targets.Comparison> comparisons() {
        List<Targets.Comparison> out = new ArrayList<>();
        for (Targets.Target t : Targets.of(rows)) {
            out.add(Targets.Comparison.of(t, rows.get(t.numerator()), rows.get(t.denominator())));
        }
        return out;
    }

    /** @return the table cells of every DL4J row, in {@link #COLUMNS} order */
    public List<List<String>> cells() {
        List<List<String>> out = new ArrayList<>();
        for (Measurement m : dl4jRows()) {
            Stats.Summary d = m.summary();
            Optional<Measurement> t = torchRow(m);
            Optional<Stats.Summary> ts = t.map(Measurement::summary);
            Optional<Targets.Comparison> ratio = t.map(r -> Targets.Comparison.of(
                    new Targets.Target("DL4J / PyTorch", m.id(), r.id(), Double.POSITIVE_INFINITY), m, r));
            out.add(List.of(m.label(), significant(d.median()), significant(d.q1()), significant(d.q3()),
                    ts.map(x -> significant(x.median())).orElse("-"), ts.map(x -> significant(x.q1())).orElse("-"),
                    ts.map(x -> significant(x.q3())).orElse("-"),
                    ratio.map(r -> significant(r.ratio())).orElse("-"),
                    ratio.flatMap(Targets.Comparison::interval).map(i -> significant(i.low())).orElse("-"),
                    ratio.flatMap(Targets.Comparison::interval).map(i -> significant(i.high())).orElse("-"),
                    significant(m.samplesPerSecond()), fmt("%.0f", m.peakHeapBytes() / MB),
                    fmt("%.0f", m.peakOffHeapBytes() / MB), fmt("%.0f", m.peakRssBytes() / MB),
                    t.map(r -> fmt("%.0f", r.peakRssBytes() / MB)).orElse("-"),
                    m.memoryGrows() || t.map(Measurement::memoryGrows).orElse(false) ? "GROWS" : "flat"));
        }
        return out;
    }

    /**
     * Prints the header, the table, the targets and the notes.
     *
     * @param out where to print
     */
    public void print(PrintWriter out) {
        header.forEach((k, v) -> out.printf(Locale.ROOT, "%s: %s%n", k, v));
        out.printf(Locale.ROOT, "PyTorch column: %s%n", torchStatus);
        out.println("Times: ms per iteration, the median over the rounds (each round's value: the median of the row's "
                + "iterations in it) and its quartiles q1-q3. DL4J/PT: the median of the per-round ratios and its "
                + "distribution-free 95% interval [low, high]. Memory: peak JVM heap in use, peak off-heap bytes "
                + "ND4J tracks, peak resident set of the JVM and of the PyTorch process (process-wide: the rows of a "
                + "group are alive together); 'GROWS' when a resident set rises after every block of rounds by more "
                + "than " + (Measurement.GROWTH_TOLERANCE_BYTES >> 20) + " MB + 5%.");
        List<String> head = List.of("row", "DL4J ms", "q1-q3", "PyTorch ms", "q1-q3", "DL4J/PT", "95% interval",
                "samples/s", "heap MB", "off-heap MB", "RSS MB", "PT RSS MB", "memory");
        List<List<String>> cells = new ArrayList<>();
        for (List<String> c : cells()) {
            cells.add(List.of(c.get(0), c.get(1), c.get(2) + "-" + c.get(3), c.get(4),
                    c.get(5).equals("-") ? "-" : c.get(5) + "-" + c.get(6), c.get(7),
                    c.get(8).equals("-") ? "-" : c.get(8) + "-" + c.get(9), c.get(10), c.get(11), c.get(12),
                    c.get(13), c.get(14), c.get(15)));
        }
        int[] width = new int[head.size()];
        for (int i = 0; i < width.length; i++) {
            width[i] = head.get(i).length();
            for (List<String> row : cells) {
                width[i] = Math.max(width[i], row.get(i).length());
            }
        }
        out.println();
        printRow(out, head, width);
        List<String> rule = new ArrayList<>();
        for (int w : width) {
            rule.add("-".repeat(w));
        }
        printRow(out, rule, width);
        for (List<String> row : cells) {
            printRow(out, row, width);
        }
        out.println();
        List<Targets.Comparison> comparisons = comparisons();
        if (!comparisons.isEmpty()) {
            out.println("Targets (ratio = median of the per-round ratios [95% interval]; met: the interval is at or "
                    + "below the bound; MISSED: above it; not distinguishable: it contains the bound):");
            int w = comparisons.stream().mapToInt(c -> c.target().name().length()).max().orElse(0);
            for (Targets.Comparison c : comparisons) {
                out.printf(Locale.ROOT, "  %-" + w + "s  %6.3f %-17s <= %-5s %s%n", c.target().name(), c.ratio(),
                        interval(c.interval()), fmt("%.2f", c.target().bound()), c.verdict());
            }
            out.println();
        }
        notes.forEach(out::println);
        out.flush();
    }

    private static String interval(Optional<Stats.Interval> i) {
        return i.map(v -> String.format(Locale.ROOT, "[%.3f, %.3f]", v.low(), v.high())).orElse("[too few rounds]");
    }

    private static void printRow(PrintWriter out, List<String> cells, int[] width) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            String c = cells.get(i);
            line.append(i == 0 ? String.format(Locale.ROOT, "%-" + width[i] + "s", c)
                    : String.format(Locale.ROOT, "  %" + width[i] + "s", c));
        }
        out.println(line.toString().stripTrailing());
    }

    /**
     * Writes the report: JSON (header, rows with every number, ratios) for a {@code .json} file, else CSV
     * ({@link #COLUMNS}, one line per row, header facts as {@code #} comments).
     *
     * @param file the output file
     */
    public void write(Path file) {
        String text = file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".json") ? json() : csv();
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private String json() {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode h = root.putObject("header");
        header.forEach(h::put);
        h.put("torch", torchStatus);
        ArrayNode array = root.putArray("rows");
        for (Measurement m : rows.values()) {
            ObjectNode r = array.addObject();
            Stats.Summary sum = m.summary();
            r.put("id", m.id());
            r.put("label", m.label());
            r.put("side", m.side().name());
            r.put("samples", m.samples());
            r.put("iterations_per_round", m.iterationsPerRound());
            r.put("median_ms", sum.median());
            r.put("q1_ms", sum.q1());
            r.put("q3_ms", sum.q3());
            r.put("min_ms", sum.min());
            r.put("max_ms", sum.max());
            ArrayNode rounds = r.putArray("round_ms");
            for (double v : m.roundMs()) {
                rounds.add(v);
            }
            r.put("samples_per_s", m.samplesPerSecond());
            r.put("peak_heap_bytes", m.peakHeapBytes());
            r.put("peak_offheap_bytes", m.peakOffHeapBytes());
            r.put("peak_rss_bytes", m.peakRssBytes());
            longs(r.putArray("epoch_rss_bytes"), m.epochRssBytes());
            r.put("memory_grows", m.memoryGrows());
        }
        ArrayNode targets = root.putArray("targets");
        for (Targets.Comparison c : comparisons()) {
            ObjectNode t = targets.addObject().put("name", c.target().name()).put("numerator", c.target().numerator())
                    .put("denominator", c.target().denominator()).put("bound", c.target().bound())
                    .put("ratio", c.ratio()).put("verdict", c.verdict().name());
            c.interval().ifPresent(i -> t.put("low", i.low()).put("high", i.high()).put("coverage", i.coverage()));
        }
        ArrayNode n = root.putArray("notes");
        notes.forEach(n::add);
        try {
            return JSON.writeValueAsString(root) + "\n";
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    private static void longs(ArrayNode a, long[] v) {
        for (long x : v) {
            a.add(x);
        }
    }

    private String csv() {
        StringBuilder sb = new StringBuilder();
        header.forEach((k, v) -> sb.append("# ").append(k).append(": ").append(v).append('\n'));
        sb.append("# torch: ").append(torchStatus).append('\n');
        notes.forEach(n -> sb.append("# ").append(n).append('\n'));
        sb.append(String.join(",", COLUMNS)).append('\n');
        for (List<String> row : cells()) {
            sb.append(String.join(",", row)).append('\n');
        }
        return sb.toString();
    }

    /**
     * @param v a positive number
     * @return {@code v} with at least 3 significant digits in plain notation ({@code 0.00123}, {@code 4.56},
     *     {@code 1234}), so that no small positive value prints as zero
     */
    static String significant(double v) {
        if (!Double.isFinite(v) || v == 0) {
            return String.valueOf(v);
        }
        if (Math.abs(v) >= 100) {
            return fmt("%.0f", v);
        }
        return new java.math.BigDecimal(v).round(new java.math.MathContext(3)).stripTrailingZeros().toPlainString();
    }

    private static String fmt(String format, double v) {
        return String.format(Locale.ROOT, format, v);
    }
}
