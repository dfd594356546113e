package org.dtkd4j.zoo.teacher;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dtkd4j.core.teacher.GraphTeacher;
import org.dtkd4j.core.teacher.Teacher;
import org.dtkd4j.zoo.CifarZoo;
import org.dtkd4j.zoo.ZooSpec;
import org.dtkd4j.zoo.keras.KerasTeachers;
import org.dtkd4j.zoo.onnx.OnnxFiles;
import org.dtkd4j.zoo.onnx.OnnxSignature;
import org.dtkd4j.zoo.onnx.OnnxTeachers;
import org.dtkd4j.zoo.onnx.PyTorchWeights;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Teachers from files of any supported format, and PyTorch exports of zoo architectures as native zoo graphs.
 * <pre>{@code
 * Teacher t = Teachers.load(Path.of("resnet32x4.onnx"));       // ONNX import (SameDiff)
 * Teacher k = Teachers.load(Path.of("teacher.h5"));            // Keras 2 model (DL4J Keras import)
 * Teacher d = Teachers.load(Path.of("teacher.zip"));           // DL4J ModelSerializer zip
 * GraphTeacher z = Teachers.zooFromOnnx("resnet32x4", Path.of("resnet32x4.onnx"));  // native zoo graph
 * INDArray logits = t.logits(images);                          // images [N, C, H, W] -> [N, classes]
 * }</pre>
 *
 * <p><b>ONNX import or native zoo graph?</b> For a PyTorch export of an architecture of {@link CifarZoo} (the file
 * of {@code torch.onnx.export} keeps the {@code state_dict} names), {@link #zooFromOnnx} builds the zoo's DL4J graph
 * and copies the weights into it by name: the teacher is faster (DL4J layers, with their oneDNN helpers once
 * {@code FastKernels} are enabled, instead of SameDiff's op-by-op execution of the imported graph), exact (every
 * parameter is copied, nothing is re-expressed), and trainable (e.g. to fine-tune the teacher). {@link OnnxTeachers} imports the graph itself: choose it for any
 * architecture that is not in the zoo, as long as the importer supports its ops (unsupported ones are named).
 */
public final class Teachers {

    private Teachers() {
    }

    /**
     * Loads a teacher, choosing the format by the file's extension.
     *
     * @param file {@code .onnx} ({@link OnnxTeachers#load(Path)}), {@code .h5}, {@code .hdf5} or {@code .keras}
     *             ({@link KerasTeachers#load(Path)}), or {@code .zip} ({@link GraphTeacher#load(Path)})
     * @return the teacher, in float32 for ONNX
     * @throws IllegalArgumentException with one line naming the file for another extension, or as the chosen loader
     */
    public static Teacher load(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        String extension = name.contains(".") ? name.substring(name.lastIndexOf('.')) : "";
        return switch (extension) {
            case ".onnx" -> OnnxTeachers.load(file);
            case ".h5", ".hdf5", ".keras" -> KerasTeachers.load(file);
            case ".zip" -> GraphTeacher.load(file);
            default -> throw new IllegalArgumentException("teacher file " + file + ": unknown format '" + extension
                    + "'; expected .onnx (ONNX), .h5/.hdf5/.keras (Keras 2) or .zip (DL4J ModelSerializer)");
        };
    }

    /**
     * A PyTorch export of a zoo architecture as the native zoo graph, in float32, for the input shape and number of
     * classes of the export.
     *
     * @param modelName a name of {@link CifarZoo#names()}, the architecture the file was exported from
     * @param onnxFile  an ONNX export whose initializer names are the model's {@code state_dict} keys
     * @return the teacher, described as {@code "<model> zoo teacher from <file name>"}
     * @throws IllegalArgumentException for an unknown model name, a file that is not an image classifier, or weights
     *                                  that do not fit the architecture (listed by {@link PyTorchWeights})
     */
    public static GraphTeacher zooFromOnnx(String modelName, Path onnxFile) {
        return zooFromOnnx(modelName, onnxFile, CNN2DFormat.NCHW);
    }

    /**
     * As {@link #zooFromOnnx(String, Path)}, the zoo graph computing in a given layout: {@link CNN2DFormat#NHWC}
     * ({@link CifarZoo#channelsLast}) gives the same logits and infers faster on ND4J's CPU backend, whose oneDNN
     * convolutions compute NHWC; {@link #describe} then says "channels-last".
     *
     * @param modelName a {@link CifarZoo} name
     * @param onnxFile  the model's PyTorch ONNX export
     * @param layout    the layout the graph computes in (its input stays NCHW)
     * @return the teacher
     * @throws IllegalArgumentException as {@link #zooFromOnnx(String, Path)}
     */
    public static GraphTeacher zooFromOnnx(String modelName, Path onnxFile, CNN2DFormat layout) {
        String what = "ONNX file " + onnxFile;
        OnnxSignature signature = OnnxSignature.of(OnnxFiles.read(onnxFile), what);
        List<Long> chw = signature.exampleShape();
        if (chw.size() != 3 || chw.contains(-1L)) {
            throw new IllegalArgumentException(what + ": a zoo teacher needs a static image input [N, C, H, W], found "
                    + "[N, " + chw + "] (-1 = symbolic)");
        }
        ZooSpec spec = ZooSpec.builder().numClasses(signature.numClasses())
                .input(Math.toIntExact(chw.get(0)), Math.toIntExact(chw.get(1)), Math.toIntExact(chw.get(2)))
                .dataFormat(layout).build();
        return zooFromOnnx(modelName, onnxFile, spec);
    }

    /**
     * A PyTorch export of a zoo architecture as the native zoo graph, built for the given spec (e.g. with
     * {@code dataType(DataType.DOUBLE)}).
     *
     * @param modelName a name of {@link CifarZoo#names()}
     * @param onnxFile  an ONNX export whose initializer names are the model's {@code state_dict} keys
     * @param spec      the zoo spec; its number of classes and input shape must be the export's
     * @return the teacher
     * @throws IllegalArgumentException for an unknown model name or weights that do not fit the graph
     */
    public static GraphTeacher zooFromOnnx(String modelName, Path onnxFile, ZooSpec spec) {
        ComputationGraph graph = CifarZoo.build(modelName, spec);
        PyTorchWeights.load(graph, onnxFile);
        return GraphTeacher.of(graph, modelName + " zoo teacher from " + onnxFile.getFileName()
                + (spec.dataFormat() == CNN2DFormat.NHWC ? ", channels-last" : ""));
    }
}
