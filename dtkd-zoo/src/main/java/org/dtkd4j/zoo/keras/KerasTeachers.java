package org.dtkd4j.zoo.keras;

import org.dtkd4j.core.teacher.GraphTeacher;
import org.deeplearning4j.nn.modelimport.keras.Hdf5Archive;
import org.deeplearning4j.nn.modelimport.keras.KerasModelImport;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Teachers from Keras 2 {@code .h5} model files (architecture and weights, as written by {@code model.save("x.h5")}),
 * imported with DL4J's {@link KerasModelImport}.
 *
 * <p>Functional models ({@code class_name} {@code Functional} or {@code Model}) import as a {@code ComputationGraph},
 * {@code Sequential} models as a {@code MultiLayerNetwork}; either becomes a {@link GraphTeacher}. The training
 * configuration stored in the file (optimizer, loss) is not needed and not enforced.
 *
 * <p>Keras images are channels-last: the imported layers are NHWC, and the teacher permutes the NCHW features it is
 * given. A final softmax (a {@code Dense} layer with {@code activation="softmax"}, or an {@code Activation("softmax")}
 * layer) is removed, so the teacher returns the logits before it (see {@link GraphTeacher}).
 */
public final class KerasTeachers {

    private static final byte[] HDF5_SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};

    private KerasTeachers() {
    }

    /**
     * Loads a Keras {@code .h5} model as a teacher.
     *
     * @param file a Keras 2 HDF5 model file
     * @return the teacher, described as {@code "Keras teacher <file name>"}
     * @throws IllegalArgumentException with one line naming the file if it is missing, not an HDF5 file (e.g.
     *                                  truncated or another format), has no model configuration (e.g. a weights-only
     *                                  file), or cannot be imported
     */
    public static GraphTeacher load(Path file) {
        String what = "Keras file " + file;
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(what + ": not found (or not a regular file)");
        }
        byte[] head = new byte[HDF5_SIGNATURE.length];
        try (InputStream in = Files.newInputStream(file)) {
            if (in.readNBytes(head, 0, head.length) != head.length || !Arrays.equals(head, HDF5_SIGNATURE)) {
                throw new IllegalArgumentException(what + ": not an HDF5 file (no HDF5 signature; a Keras .h5 model "
                        + "is HDF5)");
            }
        } catch (IOException e) {
            throw new IllegalArgumentException(what + ": cannot be read: " + e.getMessage(), e);
        }
        String className = modelClass(file, what);
        String name = "Keras teacher " + file.getFileName();
        try {
            if ("Sequential".equals(className)) {
                return GraphTeacher.of(KerasModelImport.importKerasSequentialModelAndWeights(file.toString(), false),
                        name);
            }
            return GraphTeacher.of(KerasModelImport.importKerasModelAndWeights(file.toString(), false), name);
        } catch (Exception e) {
            throw new IllegalArgumentException(what + ": the DL4J Keras import failed: " + firstLine(e), e);
        }
    }

    /** The {@code class_name} of the model configuration stored in the file. */
    private static String modelClass(Path file, String what) {
        String json = null;
        try (Hdf5Archive archive = new Hdf5Archive(file.toString())) {
            if (archive.hasAttribute("model_config")) {
                json = archive.readAttributeAsJson("model_config");
            }
        } catch (Exception e) {
            throw new IllegalArgumentException(what + ": not a readable HDF5 file (truncated?): " + firstLine(e), e);
        }
        if (json == null) {
            throw new IllegalArgumentException(what + ": no model_config attribute (a weights-only file from "
                    + "save_weights, or not a Keras model)");
        }
        try {
            JsonNode config = new ObjectMapper().readTree(json);
            if (!config.hasNonNull("class_name")) {
                throw new IllegalArgumentException(what + ": model_config has no class_name");
            }
            return config.get("class_name").asText();
        } catch (IOException e) {
            throw new IllegalArgumentException(what + ": model_config is not valid JSON: " + firstLine(e), e);
        }
    }

    private static String firstLine(Exception e) {
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m.lines().findFirst().orElse("");
    }
}
