package org.dtkd4j.zoo.onnx;

import onnx.Onnx;
import org.nd4j.samediff.frameworkimport.onnx.definitions.OnnxOpDeclarationsKt;
import org.nd4j.samediff.frameworkimport.reflect.ImportReflectionCache;

import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Which ONNX ops DL4J's {@code samediff-import-onnx} can import, so that a model using others is rejected before
 * import with the ops' names (the importer itself fails late, with a message that does not name them).
 *
 * <p>The importer maps an ONNX node by its op type through its op mapping registry
 * ({@code OnnxOpDeclarationsKt.getOnnxOpRegistry()}, the mapping processes of {@code onnx-mapping-ruleset.pbtxt}) or
 * through a {@code @PreHookRule} implementation found by class-path scanning ({@link ImportReflectionCache}); an op
 * type is supported if either knows it. Building the registry takes about 20 s the first time in a JVM (the
 * importer pays the same cost on its first import).
 *
 * <p>Some supported ops are {@link #unsafe unsafe}: importing them corrupts native memory, and the JVM aborts later
 * (at an unrelated allocation or at exit) instead of failing with an exception. {@link OnnxRewriter#forImport}
 * rewrites them where it can; a model that still has one must be refused before import.
 */
public final class OnnxOps {

    /**
     * Op types whose import by {@code samediff-import-onnx} 1.0.0-M2.1 corrupts the native heap: the importer's
     * {@code GlobalAveragePool} pre-import hook (measured: importing a PyTorch ResNet-8 export whose
     * {@code AveragePool} was replaced by {@code GlobalAveragePool} aborts the JVM at exit with
     * {@code free(): invalid pointer}, without executing the graph).
     */
    private static final Set<String> HEAP_CORRUPTING = Set.of("GlobalAveragePool");

    private static Set<String> supported;

    private OnnxOps() {
    }

    /** @return the op types the importer can map, sorted */
    public static synchronized Set<String> supported() {
        if (supported == null) {
            Set<String> ops = new TreeSet<>(OnnxOpDeclarationsKt.getOnnxOpRegistry().getRegisteredOps().keySet());
            ops.addAll(ImportReflectionCache.INSTANCE.getPreProcessRuleImplementationsByOp().row("onnx").keySet());
            supported = Collections.unmodifiableSet(ops);
        }
        return supported;
    }

    /**
     * Lists the op types of a model (including its subgraphs) that the importer cannot map.
     *
     * @param model a parsed model
     * @return unsupported op type to the number of nodes using it, sorted by op type; empty if all are supported
     */
    public static Map<String, Integer> unsupported(Onnx.ModelProto model) {
        Set<String> known = supported();
        return count(model, op -> !known.contains(op));
    }

    /**
     * Lists the op types of a model (including its subgraphs) whose import would corrupt native memory and abort
     * the JVM: {@code GlobalAveragePool} (left only where {@link OnnxRewriter#globalPoolsToReduce} could not derive
     * its input's rank).
     *
     * @param model a parsed (rewritten) model
     * @return unsafe op type to the number of nodes using it, sorted by op type; empty if none
     */
    public static Map<String, Integer> unsafe(Onnx.ModelProto model) {
        return count(model, HEAP_CORRUPTING::contains);
    }

    /**
     * @param counts op type to number of nodes, as returned by {@link #unsupported} or {@link #unsafe}
     * @return e.g. {@code "Mish (2 nodes), Softsign (1 node)"}
     */
    public static String describe(Map<String, Integer> counts) {
        return counts.entrySet().stream().map(e -> e.getKey() + " (" + e.getValue() + " node"
                + (e.getValue() == 1 ? "" : "s") + ")").collect(Collectors.joining(", "));
    }

    private static Map<String, Integer> count(Onnx.ModelProto model, Predicate<String> flagged) {
        Map<String, Integer> out = new TreeMap<>();
        collect(model.getGraph(), flagged, out);
        return out;
    }

    private static void collect(Onnx.GraphProto g, Predicate<String> flagged, Map<String, Integer> out) {
        for (Onnx.NodeProto n : g.getNodeList()) {
            if (flagged.test(n.getOpType())) {
                out.merge(n.getOpType(), 1, Integer::sum);
            }
            for (Onnx.AttributeProto a : n.getAttributeList()) {
                if (a.hasG()) {
                    collect(a.getG(), flagged, out);
                }
                for (Onnx.GraphProto sub : a.getGraphsList()) {
                    collect(sub, flagged, out);
                }
            }
        }
    }
}
