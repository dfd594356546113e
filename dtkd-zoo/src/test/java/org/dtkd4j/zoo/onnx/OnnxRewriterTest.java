package org.dtkd4j.zoo.onnx;

import onnx.Onnx;
import org.dtkd4j.core.teacher.SameDiffTeacher;
import org.dtkd4j.zoo.GoldenFixtures;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.samediff.frameworkimport.onnx.importer.OnnxFrameworkImporter;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Each rewrite on a small graph built here, and all of them on a golden export. */
class OnnxRewriterTest {

    @Test
    void colonNamesAreRenamedConsistentlyEverywhere() {
        Onnx.GraphProto.Builder g = Onnx.GraphProto.newBuilder()
                .addInput(valueInfo("in:put", 2))
                .addNode(node("Relu", List.of("in:put"), List.of("onnx::Relu_1")))
                .addNode(node("Add", List.of("onnx::Relu_1", "w:0"), List.of("onnx__Relu_1")))
                .addNode(node("Mul", List.of("onnx__Relu_1", "onnx::Relu_1"), List.of("out:0")))
                .addInitializer(floats("w:0", new long[]{2}, 1f, 2f))
                .addValueInfo(valueInfo("onnx::Relu_1", 2))
                .addOutput(valueInfo("out:0", 2));
        Onnx.ModelProto m = OnnxRewriter.renameColonNames(model(g));
        Onnx.GraphProto r = m.getGraph();

        assertThat(allNames(r)).noneMatch(n -> n.contains(":"));
        assertThat(r.getInput(0).getName()).isEqualTo("in_put");
        assertThat(r.getNode(0).getInputList()).containsExactly("in_put");
        // "onnx__Relu_1" already exists: the renamed "onnx::Relu_1" gets a suffix, and every use follows it
        String relu = r.getNode(0).getOutput(0);
        assertThat(relu).isEqualTo("onnx__Relu_1_1");
        assertThat(r.getNode(1).getInputList()).containsExactly(relu, "w_0");
        assertThat(r.getNode(2).getInputList()).containsExactly("onnx__Relu_1", relu);
        assertThat(r.getValueInfo(0).getName()).isEqualTo(relu);
        assertThat(r.getInitializer(0).getName()).isEqualTo("w_0");
        assertThat(r.getOutput(0).getName()).isEqualTo("out_0").isEqualTo(r.getNode(2).getOutput(0));

        Onnx.ModelProto clean = OnnxRewriter.renameColonNames(m);
        assertThat(clean).isSameAs(m);
    }

    @Test
    void tensorConstantsBecomeInitializers() {
        Onnx.TensorProto axes = longs("", new long[]{1}, 0);
        Onnx.GraphProto.Builder g = Onnx.GraphProto.newBuilder()
                .addInput(valueInfo("x", 2))
                .addNode(node("Constant", List.of(), List.of("axes"), tensorAttr("value", axes)))
                .addNode(node("Constant", List.of(), List.of("scalar"), floatAttr("value_float", 2f)))
                .addNode(node("Unsqueeze", List.of("x", "axes"), List.of("y")))
                .addOutput(valueInfo("y", 3));
        Onnx.GraphProto r = OnnxRewriter.constantsToInitializers(model(g)).getGraph();

        assertThat(r.getNodeList()).extracting(Onnx.NodeProto::getOpType).containsExactly("Constant", "Unsqueeze");
        assertThat(r.getNode(0).getOutput(0)).isEqualTo("scalar"); // not tensor-valued: left alone
        assertThat(r.getInitializerCount()).isEqualTo(1);
        Onnx.TensorProto init = r.getInitializer(0);
        assertThat(init.getName()).isEqualTo("axes");
        assertThat(init.getDataType()).isEqualTo(Onnx.TensorProto.DataType.INT64_VALUE);
        assertThat(init.getDimsList()).containsExactly(1L);
        assertThat(OnnxFiles.toArray(init, DataType.LONG).toLongVector()).containsExactly(0L);
    }

    @Test
    void allZeroPadsAreDroppedOthersKept() {
        Onnx.GraphProto.Builder g = Onnx.GraphProto.newBuilder()
                .addInput(valueInfo("x", 4))
                .addInitializer(longs("zeros", new long[]{8}, 0, 0, 0, 0, 0, 0, 0, 0))
                .addInitializer(longs("ones", new long[]{8}, 0, 0, 1, 1, 0, 0, 1, 1))
                .addInitializer(floats("seven", new long[]{}, 7f))
                .addNode(node("Pad", List.of("x", "zeros"), List.of("p0"), stringAttr("mode", "constant")))
                .addNode(node("AveragePool", List.of("p0"), List.of("a0")))
                .addNode(node("Pad", List.of("a0", "ones"), List.of("p1"), stringAttr("mode", "constant")))
                .addNode(node("Pad", List.of("p1", "zeros", "seven"), List.of("p2"), stringAttr("mode", "reflect")))
                .addNode(node("AveragePool", List.of("p2"), List.of("a1")))
                .addNode(node("Pad", List.of("a1", "zeros"), List.of("out")))
                .addOutput(valueInfo("out", 4));
        Onnx.GraphProto r = OnnxRewriter.dropZeroPads(model(g)).getGraph();

        assertThat(r.getNodeList()).extracting(Onnx.NodeProto::getOpType)
                .containsExactly("AveragePool", "Pad", "AveragePool", "Pad");
        assertThat(r.getNode(0).getInputList()).containsExactly("x");          // zero pad removed, input rewired
        assertThat(r.getNode(1).getInputList()).containsExactly("a0", "ones"); // non-zero pads kept
        assertThat(r.getNode(2).getInputList()).containsExactly("p1");         // zero pads: any mode and value
        assertThat(r.getNode(3).getOutputList()).containsExactly("out");       // a graph output is kept
        assertThat(r.getInitializerList()).extracting(Onnx.TensorProto::getName)
                .containsExactly("zeros", "ones");                              // "seven" is no longer used
    }

    @Test
    void padsAreReorderedIntoPairsPerDimension() {
        Onnx.GraphProto.Builder g = Onnx.GraphProto.newBuilder()
                .addInput(valueInfo("x", 4))
                .addNode(node("Constant", List.of(), List.of("pads"),
                        tensorAttr("value", longs("", new long[]{8}, 0, 1, 2, 3, 4, 5, 6, 7))))
                .addNode(node("Pad", List.of("x", "pads"), List.of("y")))
                .addOutput(valueInfo("y", 4));
        Onnx.GraphProto r = OnnxRewriter.padsToPairs(model(g)).getGraph();

        assertThat(r.getNodeList()).extracting(Onnx.NodeProto::getOpType).containsExactly("Pad");
        String pairs = r.getNode(0).getInput(1);
        Onnx.TensorProto t = r.getInitializerList().stream().filter(i -> i.getName().equals(pairs)).findFirst()
                .orElseThrow();
        assertThat(t.getDimsList()).containsExactly(4L, 2L);
        // ONNX [x1_begin, x2_begin, x3_begin, x4_begin, x1_end, ..] -> [[x1_begin, x1_end], ..]
        assertThat(OnnxFiles.toArray(t, DataType.LONG).reshape(8).toLongVector())
                .containsExactly(0, 4, 1, 5, 2, 6, 3, 7);
    }

    @Test
    void gemmBiasBecomesAnAddScaledByBeta() {
        Onnx.GraphProto.Builder g = gemmGraph(2f, 0.5f, true);
        Onnx.GraphProto r = OnnxRewriter.splitGemmBias(model(g)).getGraph();

        assertThat(r.getNodeList()).extracting(Onnx.NodeProto::getOpType).containsExactly("Gemm", "Add");
        Onnx.NodeProto gemm = r.getNode(0);
        assertThat(gemm.getInputList()).containsExactly("a", "b");
        assertThat(gemm.getAttributeList()).extracting(Onnx.AttributeProto::getName)
                .containsExactlyInAnyOrder("alpha", "transB");
        assertThat(OnnxRewriter.attribute(gemm, "alpha").getF()).isEqualTo(2f);
        Onnx.NodeProto add = r.getNode(1);
        assertThat(add.getInputList()).containsExactly(gemm.getOutput(0), "c_times_beta");
        assertThat(add.getOutputList()).containsExactly("y");
        Onnx.TensorProto scaled = r.getInitializerList().stream().filter(i -> i.getName().equals("c_times_beta"))
                .findFirst().orElseThrow();
        assertThat(OnnxFiles.toArray(scaled, DataType.FLOAT).toFloatVector()).containsExactly(0.5f, -1f, 1.5f, 2f);

        // beta = 1: the bias itself; a computed bias with beta != 1 goes through a Mul
        assertThat(OnnxRewriter.splitGemmBias(model(gemmGraph(1f, 1f, true))).getGraph().getNode(1).getInputList())
                .containsExactly("y_no_bias", "c");
        Onnx.GraphProto computed = OnnxRewriter.splitGemmBias(model(gemmGraph(1f, 3f, false))).getGraph();
        assertThat(computed.getNodeList()).extracting(Onnx.NodeProto::getOpType)
                .containsExactly("Relu", "Gemm", "Mul", "Add");
    }

    @Test
    void theSplitGemmImportsWithItsBiasWhereTheOriginalLosesIt(@TempDir Path dir) throws Exception {
        Onnx.ModelProto original = model(gemmGraph(2f, 0.5f, true));
        INDArray a = Nd4j.createFromArray(new float[][]{{1, 2, 3}, {-1, 0.5f, 2}});
        INDArray b = Nd4j.createFromArray(new float[][]{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {1, 1, 1}});
        INDArray c = Nd4j.createFromArray(1f, -2f, 3f, 4f);
        INDArray expected = a.mmul(b.transpose()).muli(2).addiRowVector(c.mul(0.5));

        Path file = dir.resolve("gemm.onnx");
        Files.write(file, original.toByteArray());
        SameDiffTeacher teacher = OnnxTeachers.load(file);
        assertThat(teacher.logits(a).sub(expected).amaxNumber().doubleValue()).isLessThan(1e-6);

        // the importer's defect the rewrite exists for: importing the original graph drops C without an error
        SameDiff raw = new OnnxFrameworkImporter().runImport(file.toString(), Collections.emptyMap(), false);
        INDArray withoutBias = a.mmul(b.transpose()).muli(2);
        assertThat(raw.outputSingle(Map.of("a", a), "y").sub(withoutBias).amaxNumber().doubleValue())
                .isLessThan(1e-6);
    }

    @Test
    void viewChainsBecomeFlatten() {
        Onnx.GraphProto.Builder g = Onnx.GraphProto.newBuilder()
                .addInput(valueInfo("x", 4))
                .addInitializer(longs("zero", new long[]{}, 0))
                .addInitializer(longs("one", new long[]{}, 1))
                .addInitializer(longs("axes", new long[]{1}, 0))
                .addInitializer(longs("minus_one", new long[]{1}, -1))
                .addNode(node("Shape", List.of("x"), List.of("shape")))
                .addNode(node("Gather", List.of("shape", "zero"), List.of("n"), intAttr("axis", 0)))
                .addNode(node("Unsqueeze", List.of("n", "axes"), List.of("n1")))
                .addNode(node("Concat", List.of("n1", "minus_one"), List.of("target"), intAttr("axis", 0)))
                .addNode(node("Reshape", List.of("x", "target"), List.of("flat")))
                // same chain on dimension 1 instead of the batch: not a flatten, left alone
                .addNode(node("Gather", List.of("shape", "one"), List.of("c"), intAttr("axis", 0)))
                .addNode(node("Unsqueeze", List.of("c", "axes"), List.of("c1")))
                .addNode(node("Concat", List.of("c1", "minus_one"), List.of("target2"), intAttr("axis", 0)))
                .addNode(node("Reshape", List.of("x", "target2"), List.of("other")))
                .addOutput(valueInfo("flat", 2))
                .addOutput(valueInfo("other", 2));
        Onnx.GraphProto r = OnnxRewriter.viewToFlatten(model(g)).getGraph();

        assertThat(r.getNodeList()).extracting(Onnx.NodeProto::getOpType)
                .containsExactly("Shape", "Flatten", "Gather", "Unsqueeze", "Concat", "Reshape");
        Onnx.NodeProto flatten = r.getNode(1);
        assertThat(flatten.getInputList()).containsExactly("x");
        assertThat(flatten.getOutputList()).containsExactly("flat");
        assertThat(OnnxRewriter.attribute(flatten, "axis").getI()).isEqualTo(1);
        assertThat(r.getInitializerList()).extracting(Onnx.TensorProto::getName)
                .containsExactly("one", "axes", "minus_one"); // "zero" only served the removed Gather
    }

    @Test
    void toDoubleConvertsFloatTensorsTypesAndCasts() {
        Onnx.GraphProto.Builder g = Onnx.GraphProto.newBuilder()
                .addInput(valueInfo("x", 2))
                .addInitializer(floats("w", new long[]{2}, 0.1f, -3f))
                .addInitializer(longs("i", new long[]{1}, 5))
                .addNode(node("Cast", List.of("x"), List.of("xc"),
                        intAttr("to", Onnx.TensorProto.DataType.FLOAT_VALUE)))
                .addNode(node("Add", List.of("xc", "w"), List.of("y")))
                .addOutput(valueInfo("y", 2));
        Onnx.GraphProto r = OnnxRewriter.toDouble(model(g)).getGraph();

        assertThat(r.getInput(0).getType().getTensorType().getElemType())
                .isEqualTo(Onnx.TensorProto.DataType.DOUBLE_VALUE);
        assertThat(r.getOutput(0).getType().getTensorType().getElemType())
                .isEqualTo(Onnx.TensorProto.DataType.DOUBLE_VALUE);
        assertThat(r.getInitializer(0).getDataType()).isEqualTo(Onnx.TensorProto.DataType.DOUBLE_VALUE);
        assertThat(OnnxFiles.toArray(r.getInitializer(0), DataType.DOUBLE).toDoubleVector())
                .containsExactly((double) 0.1f, -3.0);
        assertThat(r.getInitializer(1)).isEqualTo(g.getInitializer(1)); // integers unchanged
        assertThat(OnnxRewriter.attribute(r.getNode(0), "to").getI()).isEqualTo(Onnx.TensorProto.DataType.DOUBLE_VALUE);
    }

    @TestFactory
    Stream<DynamicTest> everyPyTorchExportLosesEveryPatternTheImporterTripsOn() {
        return GoldenFixtures.onnxFiles().stream().map(file -> DynamicTest.dynamicTest(
                GoldenFixtures.modelName(file), () -> {
                    Onnx.ModelProto export = OnnxFiles.read(file);
                    Onnx.GraphProto r = OnnxRewriter.forImport(export).getGraph();

                    assertThat(allNames(r)).noneMatch(n -> n.contains(":"));
                    List<String> ops = r.getNodeList().stream().map(Onnx.NodeProto::getOpType).toList();
                    assertThat(ops).doesNotContain("Constant");
                    assertThat(r.getNodeList()).filteredOn(n -> n.getOpType().equals("Gemm"))
                            .allSatisfy(n -> assertThat(n.getInputCount()).isEqualTo(2));
                    assertThat(r.getOutputList()).map(Onnx.ValueInfoProto::getName).containsExactlyElementsOf(
                            export.getGraph().getOutputList().stream().map(Onnx.ValueInfoProto::getName).toList());
                }));
    }

    /**
     * The rewrites in full, on an export whose only {@code Shape} and {@code Reshape} nodes are the classifier's
     * {@code x.view(x.size(0), -1)} chain (the ResNets and MobileNetV2 in the public fixtures): no node of the
     * patterns the importer trips on is left.
     */
    @Test
    void globalPoolsOfDerivableRankBecomeReductionsOverTheSpatialAxes() {
        Onnx.GraphProto.Builder g = Onnx.GraphProto.newBuilder()
                .addInput(valueInfo("x", 4))
                .addInput(valueInfo("v", 3))
                .addInitializer(floats("w", new long[]{2, 2, 1, 1}, 1, 0, 0, 1))
                .addInitializer(floats("b", new long[]{2, 1, 1}, 1, 2))
                .addInitializer(longs("shape", new long[]{4}, 0, 0, 0, 0))
                .addNode(node("Conv", List.of("x", "w"), List.of("c")))
                .addNode(node("Add", List.of("c", "b"), List.of("cb")))          // broadcast: rank 4
                .addNode(node("Relu", List.of("cb"), List.of("r")))
                .addNode(node("GlobalAveragePool", List.of("r"), List.of("avg")))
                .addNode(node("GlobalMaxPool", List.of("v"), List.of("max1d")))  // rank 3: one spatial axis
                .addNode(node("Reshape", List.of("r", "shape"), List.of("opaque")))
                .addNode(node("GlobalAveragePool", List.of("opaque"), List.of("unknown")))
                .addOutput(valueInfo("avg", 4))
                .addOutput(valueInfo("max1d", 3))
                .addOutput(valueInfo("unknown", 4));
        Onnx.GraphProto r = OnnxRewriter.globalPoolsToReduce(model(g)).getGraph();

        assertThat(r.getNodeList()).extracting(Onnx.NodeProto::getOpType).containsExactly("Conv", "Add", "Relu",
                "ReduceMean", "ReduceMax", "Reshape", "GlobalAveragePool"); // Reshape: rank not derived, left alone
        assertThat(OnnxRewriter.attribute(r.getNode(3), "axes").getIntsList()).containsExactly(2L, 3L);
        assertThat(OnnxRewriter.attribute(r.getNode(3), "keepdims").getI()).isEqualTo(1);
        assertThat(OnnxRewriter.attribute(r.getNode(4), "axes").getIntsList()).containsExactly(2L);
        assertThat(r.getNode(3).getInputList()).containsExactly("r");
        assertThat(r.getNode(3).getOutputList()).containsExactly("avg");
        assertThat(OnnxOps.unsafe(model(r.toBuilder()))).containsExactly(Map.entry("GlobalAveragePool", 1));
    }

    @Test
    void rewrittenGlobalPoolsImportAndComputeMeanAndMax(@TempDir Path dir) throws Exception {
        Onnx.GraphProto.Builder g = Onnx.GraphProto.newBuilder()
                .addInput(valueInfo("x", 4))
                .addInitializer(floats("minus_two", new long[]{}, -2f))
                .addNode(node("Mul", List.of("x", "minus_two"), List.of("n")))
                .addNode(node("GlobalAveragePool", List.of("n"), List.of("avg")))
                .addNode(node("GlobalMaxPool", List.of("n"), List.of("max")))
                .addNode(node("Flatten", List.of("avg"), List.of("avg2"), intAttr("axis", 1)))
                .addNode(node("Flatten", List.of("max"), List.of("max2"), intAttr("axis", 1)))
                .addNode(node("Concat", List.of("avg2", "max2"), List.of("y"), intAttr("axis", 1)))
                .addOutput(valueInfo("y", 2));
        g.getOutputBuilder(0).getTypeBuilder().getTensorTypeBuilder().getShapeBuilder().getDimBuilder(1)
                .setDimValue(4);
        Path file = dir.resolve("pools.onnx");
        Files.write(file, model(g).toByteArray());

        INDArray x = Nd4j.linspace(DataType.DOUBLE, -3, 0.25, 24).reshape(3, 2, 2, 2).muli(Nd4j.linspace(
                DataType.DOUBLE, 1, -0.1, 24).reshape(3, 2, 2, 2));
        INDArray expected = Nd4j.concat(1, x.mul(-2).mean(2, 3), x.mul(-2).max(2, 3));
        for (DataType type : new DataType[]{DataType.FLOAT, DataType.DOUBLE}) {
            INDArray y = OnnxTeachers.load(file, type).logits(x.castTo(type));
            assertThat(y.dataType()).isEqualTo(type);
            assertThat(y.castTo(DataType.DOUBLE).sub(expected).amaxNumber().doubleValue()).as(type.toString())
                    .isLessThan(type == DataType.FLOAT ? 1e-6 : 1e-14);
        }
    }

    @Test
    void aPyTorchExportLosesEveryPatternTheImporterTripsOn() {
        Onnx.ModelProto export = GoldenFixtures.onnxFiles().stream().map(OnnxFiles::read)
                .filter(m -> count(m, "Shape") == 1 && count(m, "Reshape") == 1)
                .min(Comparator.comparingInt(m -> m.getGraph().getNodeCount()))
                .orElseThrow(() -> new AssertionError("no ONNX export in " + GoldenFixtures.dir().resolve("onnx")
                        + " whose only Shape and Reshape nodes are the classifier's x.view(x.size(0), -1)"));
        Onnx.GraphProto r = OnnxRewriter.forImport(export).getGraph();
        List<String> ops = r.getNodeList().stream().map(Onnx.NodeProto::getOpType).toList();
        assertThat(ops).doesNotContain("Constant", "Pad", "Shape", "Gather", "Unsqueeze", "Concat", "Reshape");
    }

    // ---------------------------------------------------------------------------------------------------------

    /** Gemm(a [2,3], b [4,3] transposed, c [4]) with the given alpha and beta; c is computed by a Relu if !constC. */
    private static Onnx.GraphProto.Builder gemmGraph(float alpha, float beta, boolean constC) {
        Onnx.GraphProto.Builder g = Onnx.GraphProto.newBuilder()
                .addInput(valueInfo("a", 2))
                .addInitializer(floats("b", new long[]{4, 3}, 1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1))
                .addInitializer(floats(constC ? "c" : "c0", new long[]{4}, 1f, -2f, 3f, 4f))
                .addOutput(valueInfo("y", 2));
        g.getInputBuilder(0).getTypeBuilder().getTensorTypeBuilder().getShapeBuilder().getDimBuilder(1)
                .setDimValue(3);
        g.getOutputBuilder(0).getTypeBuilder().getTensorTypeBuilder().getShapeBuilder().getDimBuilder(1)
                .setDimValue(4);
        if (!constC) {
            g.addNode(node("Relu", List.of("c0"), List.of("c")));
        }
        return g.addNode(node("Gemm", List.of("a", "b", "c"), List.of("y"), floatAttr("alpha", alpha),
                floatAttr("beta", beta), intAttr("transB", 1)));
    }

    private static Onnx.ModelProto model(Onnx.GraphProto.Builder g) {
        return Onnx.ModelProto.newBuilder().setIrVersion(7).setProducerName("test")
                .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setVersion(13)).setGraph(g.setName("g")).build();
    }

    private static Onnx.NodeProto node(String op, List<String> in, List<String> out, Onnx.AttributeProto... attrs) {
        return Onnx.NodeProto.newBuilder().setOpType(op).setName(op + "_" + out.get(0)).addAllInput(in)
                .addAllOutput(out).addAllAttribute(Arrays.asList(attrs)).build();
    }

    private static Onnx.ValueInfoProto valueInfo(String name, int rank) {
        Onnx.TensorShapeProto.Builder shape = Onnx.TensorShapeProto.newBuilder();
        shape.addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimParam("batch"));
        for (int i = 1; i < rank; i++) {
            shape.addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimValue(2));
        }
        return Onnx.ValueInfoProto.newBuilder().setName(name).setType(Onnx.TypeProto.newBuilder().setTensorType(
                Onnx.TypeProto.Tensor.newBuilder().setElemType(Onnx.TensorProto.DataType.FLOAT_VALUE)
                        .setShape(shape))).build();
    }

    private static Onnx.TensorProto floats(String name, long[] dims, float... v) {
        Onnx.TensorProto.Builder t = Onnx.TensorProto.newBuilder().setName(name)
                .setDataType(Onnx.TensorProto.DataType.FLOAT_VALUE);
        Arrays.stream(dims).forEach(t::addDims);
        for (float f : v) {
            t.addFloatData(f);
        }
        return t.build();
    }

    private static Onnx.TensorProto longs(String name, long[] dims, long... v) {
        Onnx.TensorProto.Builder t = Onnx.TensorProto.newBuilder().setName(name)
                .setDataType(Onnx.TensorProto.DataType.INT64_VALUE);
        Arrays.stream(dims).forEach(t::addDims);
        Arrays.stream(v).forEach(t::addInt64Data);
        return t.build();
    }

    private static Onnx.AttributeProto tensorAttr(String name, Onnx.TensorProto t) {
        return Onnx.AttributeProto.newBuilder().setName(name).setType(Onnx.AttributeProto.AttributeType.TENSOR).setT(t)
                .build();
    }

    private static Onnx.AttributeProto floatAttr(String name, float f) {
        return Onnx.AttributeProto.newBuilder().setName(name).setType(Onnx.AttributeProto.AttributeType.FLOAT).setF(f)
                .build();
    }

    private static Onnx.AttributeProto intAttr(String name, long i) {
        return Onnx.AttributeProto.newBuilder().setName(name).setType(Onnx.AttributeProto.AttributeType.INT).setI(i)
                .build();
    }

    private static Onnx.AttributeProto stringAttr(String name, String s) {
        return Onnx.AttributeProto.newBuilder().setName(name).setType(Onnx.AttributeProto.AttributeType.STRING)
                .setS(org.nd4j.shade.protobuf.ByteString.copyFromUtf8(s)).build();
    }

    private static long count(Onnx.ModelProto m, String opType) {
        return m.getGraph().getNodeList().stream().filter(n -> n.getOpType().equals(opType)).count();
    }

    private static Set<String> allNames(Onnx.GraphProto g) {
        Set<String> names = new HashSet<>();
        g.getNodeList().forEach(n -> {
            names.addAll(n.getInputList());
            names.addAll(n.getOutputList());
        });
        g.getInputList().forEach(v -> names.add(v.getName()));
        g.getOutputList().forEach(v -> names.add(v.getName()));
        g.getValueInfoList().forEach(v -> names.add(v.getName()));
        g.getInitializerList().forEach(t -> names.add(t.getName()));
        return names;
    }
}
