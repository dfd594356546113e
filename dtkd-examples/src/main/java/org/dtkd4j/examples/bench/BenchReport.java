package org.dtkd4j.examples.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.dtkd4j.core.config.Method;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The bench's result: a header (machine, threads, kernels, date), the DL4J rows with their PyTorch counterparts, and
 * the target ratios. Prints as one table; writes JSON or CSV.
 */
public final class BenchReport {

    /** Columns of the printed table and of the CSV, in order. */
    public static final List<String> COLUMNS = List.of("row", "dl4j_ms", "dl4j_samples_per_s", "torch_ms",
            "dl4j_over_torch", "heap_mb", "offheap_mb", "rss_mb", "rss_per_epoch_mb", "torch_rss_mb", "memory");

    private static final double MB = 1024.0 * 1024.0;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Map<String, String> header;
    private final List<Measurement> rows;
    private final Map<String, TorchBench.TorchRow> torch;
    private final String torchStatus;
    private final List<BenchOptions.ModelPair> pairs;
    private final BenchOptions.LossSize stepLossSize;

    /**
     * @param header      machine and run facts, printed in order as {@code key: value}
     * @param rows        the DL4J rows, in table order
     * @param torch       the PyTorch rows by id (empty without PyTorch)
     * @param torchStatus what the PyTorch column holds, e.g. {@code "PyTorch 1.13.1, /usr/bin/python3"} or why it
     *                    is empty
     * @param pairs       the step pairs measured (for the ratios)
     * @param stepLossSize the loss size to compare with a student step (batch × classes), or {@code null}
     */
    public BenchReport(Map<String, String> header, List<Measurement> rows, Map<String, TorchBench.TorchRow> torch,
                       String torchStatus, List<BenchOptions.ModelPair> pairs, BenchOptions.LossSize stepLossSize) {
        this.header = new LinkedHashMap<>(header);
        this.rows = List.copyOf(rows);
        this.torch = new LinkedHashMap<>(torch);
        this.torchStatus = torchStatus;
        this.pairs = List.copyOf(pairs);
        this.stepLossSize = stepLossSize;
    }

    /** @return the DL4J rows */
    public List<Measurement> rows() {
        return rows;
    }

    /**
     * @param row a DL4J row
     * @return its PyTorch counterpart, if measured (loss rows share one PyTorch row per method and size)
     */
    public Optional<TorchBench.TorchRow> torchRow(Measurement row) {
        return Optional.ofNullable(torch.get(torchId(row.id())));
    }

    /** @return the PyTorch id of a DL4J row id: loss rows drop their implementation suffix */
    static String torchId(String id) {
        return id.startsWith("loss/") ? id.substring(0, id.lastIndexOf('/')) : id;
    }

    /**
     * A cost ratio with its target.
     *
     * @param name   what is divided by what
     * @param value  the measured ratio
     * @param target the largest value that meets the target
     */
    public record Ratio(String name, double value, double target) {
        /** @return whether the target is met */
        public boolean met() {
            return value <= target;
        }
    }

    /** @return the target ratios computable from the rows measured */
    public List<Ratio> ratios() {
        List<Ratio> out = new ArrayList<>();
        for (BenchOptions.ModelPair pair : pairs) {
            Optional<Measurement> dtkd = find("step/" + pair + "/" + Method.DTKD);
            Optional<Measurement> kd = find("step/" + pair + "/" + Method.KD);
            Optional<Measurement> infer = find("infer/" + pair.teacher());
            if (dtkd.isPresent() && kd.isPresent()) {
                out.add(new Ratio("DTKD step / KD step, " + pair, dtkd.get().medianMs() / kd.get().medianMs(), 1.03));
            }
            Optional<Measurement> loss = stepLossSize == null ? Optional.empty()
                    : find("loss/" + Method.DTKD + "/" + stepLossSize + "/dl4j");
            if (dtkd.isPresent() && infer.isPresent() && loss.isPresent()) {
                double student = dtkd.get().medianMs() - infer.get().medianMs();
                out.add(new Ratio("DTKD loss (DL4J loss " + stepLossSize + ") / student step (DTKD step - teacher "
                        + "inference), " + pair, loss.get().medianMs() / student, 0.02));
            }
            if (pair.equals(pairs.get(0))) {
                for (Method m : List.of(Method.DTKD, Method.NONE)) {
                    Optional<Measurement> step = find("step/" + pair + "/" + m);
                    Optional<TorchBench.TorchRow> t = step.flatMap(this::torchRow);
                    if (t.isPresent()) {
                        out.add(new Ratio("DL4J / PyTorch, " + m + " step " + pair,
                                step.get().medianMs() / t.get().medianMs(), 2.0));
                    }
                }
            }
        }
        return out;
    }

    private Optional<Measurement> find(String id) {
        return rows.stream().filter(r -> r.id().equals(id)).findFirst();
    }

    /** @return the table cells of every row, in {@link #COLUMNS} order */
    public List<List<String>> cells() {
        List<List<String>> out = new ArrayList<>();
        for (Measurement m : rows) {
            Optional<TorchBench.TorchRow> t = torchRow(m);
            String perEpoch = Arrays.stream(m.epochRssBytes()).mapToObj(b -> fmt("%.0f", b / MB))
                    .collect(Collectors.joining("/"));
            out.add(List.of(m.label(), significant(m.medianMs()), significant(m.samplesPerSecond()),
                    t.map(r -> significant(r.medianMs())).orElse("-"),
                    t.map(r -> significant(m.medianMs() / r.medianMs())).orElse("-"),
                    fmt("%.0f", m.peakHeapBytes() / MB), fmt("%.0f", m.peakOffHeapBytes() / MB),
                    fmt("%.0f", m.peakRssBytes() / MB), perEpoch,
                    t.map(r -> fmt("%.0f", r.peakRssBytes() / MB)).orElse("-"),
                    m.memoryGrows() ? "GROWS" : "flat"));
        }
        return out;
    }

    /**
     * Prints the header, the table and the ratios.
     *
     * @param out where to print
     */
    public void print(PrintWriter out) {
        header.forEach((k, v) -> out.printf(Locale.ROOT, "%s: %s%n", k, v));
        out.printf(Locale.ROOT, "PyTorch column: %s%n", torchStatus);
        out.println("Times: median per iteration after warmup. Memory: peak JVM heap in use, peak off-heap bytes "
                + "ND4J tracks (JavaCPP, ND4J allocations, workspaces), peak resident set of the JVM (process-wide), resident set after each epoch, peak resident "
                + "set of the PyTorch process; 'GROWS' when the heap, off-heap or resident memory rises every epoch "
                + "by more than " + (Measurement.GROWTH_TOLERANCE_BYTES >> 20) + " MB + 5%.");
        List<String> head = List.of("row", "DL4J ms", "samples/s", "PyTorch ms", "DL4J/PT", "heap MB",
                "off-heap MB", "RSS MB", "RSS/epoch MB", "PT RSS MB", "memory");
        List<List<String>> cells = cells();
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
        List<Ratio> ratios = ratios();
        if (!ratios.isEmpty()) {
            out.println("Targets:");
            for (Ratio r : ratios) {
                out.printf(Locale.ROOT, "  %-100s %8.3f  (target <= %s) %s%n", r.name(), r.value(),
                        fmt("%.2f", r.target()), r.met() ? "met" : "MISSED");
            }
        }
        out.flush();
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
        for (Measurement m : rows) {
            ObjectNode r = array.addObject();
            r.put("id", m.id());
            r.put("label", m.label());
            r.put("samples", m.samples());
            r.put("dl4j_ms", m.medianMs());
            r.put("dl4j_samples_per_s", m.samplesPerSecond());
            r.put("peak_heap_bytes", m.peakHeapBytes());
            r.put("peak_offheap_bytes", m.peakOffHeapBytes());
            r.put("peak_rss_bytes", m.peakRssBytes());
            longs(r.putArray("epoch_heap_bytes"), m.epochHeapBytes());
            longs(r.putArray("epoch_offheap_bytes"), m.epochOffHeapBytes());
            longs(r.putArray("epoch_rss_bytes"), m.epochRssBytes());
            r.put("memory_grows", m.memoryGrows());
            torchRow(m).ifPresent(t -> {
                r.put("torch_ms", t.medianMs());
                r.put("torch_samples_per_s", t.samplesPerSecond());
                r.put("torch_peak_rss_bytes", t.peakRssBytes());
                longs(r.putArray("torch_epoch_rss_bytes"), t.epochRssBytes());
                r.put("dl4j_over_torch", m.medianMs() / t.medianMs());
            });
        }
        ArrayNode ratios = root.putArray("ratios");
        for (Ratio ratio : ratios()) {
            ratios.addObject().put("name", ratio.name()).put("value", ratio.value()).put("target", ratio.target())
                    .put("met", ratio.met());
        }
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
