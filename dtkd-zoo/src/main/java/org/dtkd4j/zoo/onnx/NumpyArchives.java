package org.dtkd4j.zoo.onnx;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Reads NumPy {@code .npz} archives: what {@code numpy.savez(file, **state_dict_as_numpy)} (stored entries) or
 * {@code numpy.savez_compressed} (deflated entries) writes, e.g. a PyTorch {@code state_dict} saved with
 * <pre>{@code numpy.savez("weights.npz", **{k: v.numpy() for k, v in model.state_dict().items()})}</pre>
 * and loaded into a zoo graph with {@link PyTorchWeights#loadNpz}.
 *
 * <p>Each entry {@code <name>.npy} is one array in NumPy's {@code .npy} format (versions 1 to 3): a header giving
 * the dtype ({@code descr}), the memory order ({@code fortran_order}) and the shape, then the raw values. Supported
 * dtypes are {@code f8}, {@code f4} (DOUBLE, FLOAT), {@code i8}, {@code i4} (LONG, INT) and {@code b1} (BOOL), in
 * either byte order; arrays come back in C order with the archive's dtype and shape (a 0-d array as a scalar).
 */
public final class NumpyArchives {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([<>|=])([a-z])(\\d+)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private NumpyArchives() {
    }

    /**
     * Reads every array of an archive.
     *
     * @param npz a {@code .npz} file
     * @return entry name without {@code .npy} to array, in archive order
     * @throws IllegalArgumentException if the file cannot be read or is not an archive of supported {@code .npy}
     *                                  entries, naming the file and the entry
     */
    public static Map<String, INDArray> read(Path npz) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(npz.toFile())) {
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry e = entries.nextElement();
                if (e.isDirectory()) {
                    continue;
                }
                String name = e.getName();
                if (!name.endsWith(".npy")) {
                    throw new IllegalArgumentException("NPZ file " + npz + ": entry '" + name + "' is not a .npy "
                            + "array");
                }
                try (InputStream in = zip.getInputStream(e)) {
                    out.put(name.substring(0, name.length() - ".npy".length()), npy(in.readAllBytes(), name));
                } catch (IllegalArgumentException ex) {
                    throw new IllegalArgumentException("NPZ file " + npz + ": " + ex.getMessage(), ex);
                }
            }
        } catch (IOException ex) {
            throw new IllegalArgumentException("cannot read NPZ file " + npz + ": " + ex.getMessage(), ex);
        }
        return out;
    }

    /**
     * Decodes one {@code .npy} array.
     *
     * @param bytes the whole {@code .npy} content
     * @param name  the entry name, for messages
     * @return the array, C order
     */
    static INDArray npy(byte[] bytes, String name) {
        if (bytes.length < 10 || !Arrays.equals(Arrays.copyOf(bytes, MAGIC.length), MAGIC)) {
            throw new IllegalArgumentException("entry '" + name + "' does not start with the .npy magic string");
        }
        int major = bytes[6];
        ByteBuffer head = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int headerLength;
        int offset;
        if (major == 1) {
            headerLength = Short.toUnsignedInt(head.getShort(8));
            offset = 10;
        } else if (major == 2 || major == 3) {
            headerLength = head.getInt(8);
            offset = 12;
        } else {
            throw new IllegalArgumentException("entry '" + name + "' has .npy format version " + major
                    + ", supported: 1, 2, 3");
        }
        if (headerLength < 0 || offset + (long) headerLength > bytes.length) {
            throw new IllegalArgumentException("entry '" + name + "' is truncated: header of " + headerLength
                    + " bytes in " + bytes.length + " bytes");
        }
        String header = new String(bytes, offset, headerLength, major == 3 ? StandardCharsets.UTF_8
                : StandardCharsets.ISO_8859_1);
        Matcher descr = DESCR.matcher(header);
        Matcher fortran = FORTRAN.matcher(header);
        Matcher shapeText = SHAPE.matcher(header);
        if (!descr.find() || !fortran.find() || !shapeText.find()) {
            throw new IllegalArgumentException("entry '" + name + "' has an unsupported .npy header (a simple dtype, "
                    + "fortran_order and shape are needed), found " + header.strip());
        }
        long[] shape = Arrays.stream(shapeText.group(1).split(",")).map(String::strip).filter(s -> !s.isEmpty())
                .mapToLong(Long::parseLong).toArray();
        long count = Arrays.stream(shape).reduce(1, Math::multiplyExact);
        String dtype = descr.group(2) + descr.group(3);
        int size = Integer.parseInt(descr.group(3));
        DataType type = switch (dtype) {
            case "f8" -> DataType.DOUBLE;
            case "f4" -> DataType.FLOAT;
            case "i8" -> DataType.LONG;
            case "i4" -> DataType.INT;
            case "b1" -> DataType.BOOL;
            default -> throw new IllegalArgumentException("entry '" + name + "' has dtype " + descr.group(1) + dtype
                    + ", supported: f8, f4, i8, i4, b1");
        };
        int data = offset + headerLength;
        if (bytes.length - data != count * size) {
            throw new IllegalArgumentException("entry '" + name + "' of shape " + Arrays.toString(shape) + " and dtype "
                    + dtype + " needs " + count * size + " bytes of data, found " + (bytes.length - data));
        }
        if (count == 0) {
            return Nd4j.create(type, shape);
        }
        ByteBuffer values = ByteBuffer.wrap(bytes, data, bytes.length - data).slice()
                .order(descr.group(1).equals(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        int n = Math.toIntExact(count);
        INDArray flat = switch (type) {
            case DOUBLE -> {
                double[] v = new double[n];
                values.asDoubleBuffer().get(v);
                yield Nd4j.createFromArray(v);
            }
            case FLOAT -> {
                float[] v = new float[n];
                values.asFloatBuffer().get(v);
                yield Nd4j.createFromArray(v);
            }
            case LONG -> {
                long[] v = new long[n];
                values.asLongBuffer().get(v);
                yield Nd4j.createFromArray(v);
            }
            case INT -> {
                int[] v = new int[n];
                values.asIntBuffer().get(v);
                yield Nd4j.createFromArray(v);
            }
            default -> {
                boolean[] v = new boolean[n];
                for (int i = 0; i < n; i++) {
                    v[i] = values.get(i) != 0;
                }
                yield Nd4j.createFromArray(v);
            }
        };
        if (shape.length == 0) {
            return flat.reshape(new long[0]);
        }
        if (fortran.group(1).equals("True")) {
            long[] reversed = new long[shape.length];
            for (int i = 0; i < shape.length; i++) {
                reversed[i] = shape[shape.length - 1 - i];
            }
            return flat.reshape('c', reversed).permute(reversedAxes(shape.length)).dup('c');
        }
        return flat.reshape('c', shape);
    }

    private static int[] reversedAxes(int rank) {
        int[] axes = new int[rank];
        for (int i = 0; i < rank; i++) {
            axes[i] = rank - 1 - i;
        }
        return axes;
    }
}
