package org.dtkd4j.zoo.onnx;

import onnx.Onnx;
import org.nd4j.samediff.frameworkimport.onnx.definitions.OnnxOpDeclarationsKt;
import org.nd4j.samediff.frameworkimport.reflect.ImportReflectionCache;

import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Which ONNX ops DL4J's {@code samediff-import-onnx} can import, so that a model using others is rejected before
 * import with the ops' names (the importer itself fails late, with a message that does not name them).
 *
 * <p>The importer maps an ONNX node by its op type through its op mapping registry
 * ({@code OnnxOpDeclarationsKt.getOnnxOpRegistry()}, the mapping processes of {@code onnx-mapping-ruleset.pbtxt}) or
 * through a {@code @PreHookRule} implementation found by class-path scanning ({@link ImportReflectionCache}); an op
 * type is supported if either knows it. Building the registry takes about 20 s the first time in a JVM (the
 * importer pays the same cost on its first import).
 */
public final class OnnxOps {

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
        Map<String, Integer> out = new TreeMap<>();
        collect(model.getGraph(), supported(), out);
        return out;
    }

    private static void collect(Onnx.GraphProto g, Set<String> known, Map<String, Integer> out) {
        for (Onnx.NodeProto n : g.getNodeList()) {
            if (!known.contains(n.getOpType())) {
                out.merge(n.getOpType(), 1, Integer::sum);
            }
            for (Onnx.AttributeProto a : n.getAttributeList()) {
                if (a.hasG()) {
                    collect(a.getG(), known, out);
                }
                for (Onnx.GraphProto sub : a.getGraphsList()) {
                    collect(sub, known, out);
                }
            }
        }
    }
}
