package org.dtkd4j.zoo.onnx;

import onnx.Onnx;
import org.dtkd4j.core.teacher.SameDiffTeacher;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.samediff.frameworkimport.onnx.importer.OnnxFrameworkImporter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;

/**
 * Teachers from ONNX files, imported into SameDiff with DL4J's {@code samediff-import-onnx}.
 *
 * <p>Loading a file: {@link OnnxFiles#read reads} it; {@link OnnxRewriter#forImport rewrites} the graph around the
 * importer's defects (and {@link OnnxRewriter#toDouble converts} it for {@link DataType#DOUBLE}); reads its
 * {@link OnnxSignature signature} (one input, one output of static width, the number of classes);
 * {@link OnnxOps#unsupported checks} every op against the importer and fails naming the unsupported ones, and the
 * {@link OnnxOps#unsafe unsafe} ones the rewrite could not replace (their import would abort the JVM); writes the
 * graph to a temporary file, imports it and deletes the file. The result is a {@link SameDiffTeacher} reading the
 * graph input (NCHW, as PyTorch exports) and returning the graph output. The importer prints its progress and a
 * summary of the imported graph to standard output.
 *
 * <p><b>ONNX import or native zoo graph?</b> An ONNX teacher works for any architecture whose ops the importer
 * supports; the PyTorch exports in the golden fixtures reproduce torch's logits to about {@code 1e-6} of the largest
 * logit in float32 and {@code 1e-11} in float64. If the file is an export of a CIFAR zoo architecture, prefer
 * {@link org.dtkd4j.zoo.teacher.Teachers#zooFromOnnx(String, Path)}: the native DL4J graph is faster (DL4J layers
 * instead of SameDiff's per-op execution), exact (parameters are copied one to one), and trainable (e.g. to fine-tune
 * the teacher).
 */
public final class OnnxTeachers {

    private OnnxTeachers() {
    }

    /**
     * Loads an ONNX file as a float32 teacher.
     *
     * @param file an ONNX model with one image input {@code [N, C, H, W]} and one output {@code [N, classes]}
     * @return the teacher, described as {@code "ONNX teacher <file name>"}
     * @throws IllegalArgumentException with one line naming the file if it is missing, not an ONNX model, uses an
     *                                  op the importer does not support or cannot import safely (naming the op and
     *                                  the data type), or fails to import
     */
    public static SameDiffTeacher load(Path file) {
        return load(file, DataType.FLOAT);
    }

    /**
     * Loads an ONNX file as a teacher computing in the given precision.
     *
     * @param file     an ONNX model with one image input {@code [N, C, H, W]} and one output {@code [N, classes]}
     * @param dataType {@link DataType#FLOAT}, or {@link DataType#DOUBLE} to run a float32 export in float64
     * @return the teacher
     * @throws IllegalArgumentException as {@link #load(Path)}, or for another data type
     */
    public static SameDiffTeacher load(Path file, DataType dataType) {
        if (dataType != DataType.FLOAT && dataType != DataType.DOUBLE) {
            throw new IllegalArgumentException("ONNX teachers compute in FLOAT or DOUBLE, found " + dataType);
        }
        String what = "ONNX file " + file;
        Onnx.ModelProto rewritten = OnnxRewriter.forImport(OnnxFiles.read(file));
        if (dataType == DataType.DOUBLE) {
            rewritten = OnnxRewriter.toDouble(rewritten);
        }
        OnnxSignature signature = OnnxSignature.of(rewritten, what);
        Map<String, Integer> unsupported = OnnxOps.unsupported(rewritten);
        if (!unsupported.isEmpty()) {
            throw new IllegalArgumentException(what + ": uses ops the DL4J ONNX importer does not support: "
                    + OnnxOps.describe(unsupported));
        }
        Map<String, Integer> unsafe = OnnxOps.unsafe(rewritten);
        if (!unsafe.isEmpty()) {
            throw new IllegalArgumentException(what + ": cannot be imported in " + dataType + ": "
                    + OnnxOps.describe(unsafe) + " would corrupt native memory in the DL4J ONNX importer (the JVM "
                    + "aborts), and the rank of its input is not declared in the file, so it cannot be rewritten as "
                    + "a reduction");
        }
        SameDiff graph = importGraph(rewritten, what);
        return SameDiffTeacher.builder(graph).input(signature.input()).output(signature.output())
                .numClasses(signature.numClasses()).description("ONNX teacher " + file.getFileName()).build();
    }

    /** Imports a (rewritten) model through a temporary file, which is deleted afterwards. */
    private static SameDiff importGraph(Onnx.ModelProto model, String what) {
        Path tmp;
        try {
            tmp = Files.createTempFile("dtkd4j-onnx-", ".onnx");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary file for the ONNX import", e);
        }
        try {
            Files.write(tmp, model.toByteArray());
            return new OnnxFrameworkImporter().runImport(tmp.toString(), Collections.emptyMap(), false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the temporary ONNX file " + tmp, e);
        } catch (RuntimeException e) {
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines()
                    .findFirst().orElse("");
            throw new IllegalArgumentException(what + ": the DL4J ONNX importer failed: " + message, e);
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException e) {
                tmp.toFile().deleteOnExit();
            }
        }
    }
}
