package org.dtkd4j.zoo.onnx;

import onnx.Onnx;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.protobuf.InvalidProtocolBufferException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads ONNX model files (the protobuf {@code ModelProto}) and converts their tensors to ND4J arrays.
 *
 * <p>Every failure is an {@link IllegalArgumentException} with one line naming the file and what was wrong, so a
 * truncated download or a file of another format is reported as such, never as a protobuf stack trace.
 */
public final class OnnxFiles {

    private OnnxFiles() {
    }

    /**
     * Parses an ONNX model file.
     *
     * @param file path of a {@code .onnx} file
     * @return the parsed model, with a non-empty graph
     * @throws IllegalArgumentException if the file is missing, unreadable, not a protobuf ModelProto, or holds no graph
     */
    public static Onnx.ModelProto read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("ONNX file " + file + ": not found (or not a regular file)");
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("ONNX file " + file + ": cannot be read: " + e.getMessage(), e);
        }
        Onnx.ModelProto model;
        try {
            model = Onnx.ModelProto.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("ONNX file " + file + ": not a valid ONNX model (" + bytes.length
                    + " bytes; truncated or another format): " + e.getMessage(), e);
        }
        if (!model.hasGraph() || model.getGraph().getNodeCount() == 0) {
            throw new IllegalArgumentException("ONNX file " + file + ": not an ONNX model (no graph nodes found in "
                    + bytes.length + " bytes)");
        }
        return model;
    }

    /**
     * Converts every initializer of a model's graph to an array, keyed by initializer name, in graph order.
     *
     * @param model a parsed model
     * @param dataType the data type of floating-point results; integer tensors become {@link DataType#LONG}
     * @return initializer name to array, in the order they appear in the graph
     */
    public static Map<String, INDArray> initializers(Onnx.ModelProto model, DataType dataType) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (Onnx.TensorProto t : model.getGraph().getInitializerList()) {
            out.put(t.getName(), toArray(t, dataType));
        }
        return out;
    }

    /**
     * Converts one ONNX tensor (raw or typed storage) to an ND4J array of its shape.
     *
     * @param tensor a FLOAT, DOUBLE, INT32 or INT64 tensor stored inside the model (not external data)
     * @param dataType the data type of floating-point results; integer tensors become {@link DataType#LONG}
     * @return a new array with the tensor's shape (a scalar tensor becomes a rank-0 array)
     * @throws IllegalArgumentException for external data or an unsupported element type, naming the tensor
     */
    public static INDArray toArray(Onnx.TensorProto tensor, DataType dataType) {
        if (tensor.getDataLocation() == Onnx.TensorProto.DataLocation.EXTERNAL) {
            throw new IllegalArgumentException("ONNX tensor '" + tensor.getName()
                    + "': external data is not supported; re-export with the weights inside the model file");
        }
        long[] shape = tensor.getDimsList().stream().mapToLong(Long::longValue).toArray();
        long count = 1;
        for (long d : shape) {
            count = Math.multiplyExact(count, d);
        }
        int n = Math.toIntExact(count);
        Onnx.TensorProto.DataType type = Onnx.TensorProto.DataType.forNumber(tensor.getDataType());
        if (type == null) {
            throw new IllegalArgumentException("ONNX tensor '" + tensor.getName() + "': unknown element type "
                    + tensor.getDataType());
        }
        ByteBuffer raw = tensor.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        boolean hasRaw = !tensor.getRawData().isEmpty();
        switch (type) {
            case FLOAT: {
                double[] v = new double[n];
                for (int i = 0; i < n; i++) {
                    v[i] = hasRaw ? raw.getFloat(4 * i) : tensor.getFloatData(i);
                }
                return Nd4j.create(v, shape, dataType);
            }
            case DOUBLE: {
                double[] v = new double[n];
                for (int i = 0; i < n; i++) {
                    v[i] = hasRaw ? raw.getDouble(8 * i) : tensor.getDoubleData(i);
                }
                return Nd4j.create(v, shape, dataType);
            }
            case INT64: {
                long[] v = new long[n];
                for (int i = 0; i < n; i++) {
                    v[i] = hasRaw ? raw.getLong(8 * i) : tensor.getInt64Data(i);
                }
                return Nd4j.createFromArray(v).reshape(shape);
            }
            case INT32: {
                long[] v = new long[n];
                for (int i = 0; i < n; i++) {
                    v[i] = hasRaw ? raw.getInt(4 * i) : tensor.getInt32Data(i);
                }
                return Nd4j.createFromArray(v).reshape(shape);
            }
            default:
                throw new IllegalArgumentException("ONNX tensor '" + tensor.getName() + "': element type " + type
                        + " is not supported (FLOAT, DOUBLE, INT32, INT64 are)");
        }
    }
}
