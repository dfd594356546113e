package org.dtkd4j.spark;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.dtkd4j.core.teacher.Teacher;
import org.dtkd4j.examples.cli.RunSetup;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@link TeacherSource}s for teachers stored in files. */
public final class SparkTeachers {

    private SparkTeachers() {
    }

    /**
     * A teacher file read once on the driver and broadcast to the executors, which open it as {@code dtkd distill}
     * does ({@link RunSetup#openTeacher}): no shared file system needed.
     *
     * @param sc   the Spark context
     * @param file a .onnx, .zip (DL4J) or .h5 (Keras) teacher
     * @param arch {@code DISTILLER.TEACHER} of the configuration (a zoo name loads a PyTorch ONNX export natively)
     * @param foldBatchNorm {@code DTKD4J.FOLD_TEACHER_BATCH_NORM} of the configuration
     * @param channelsLast {@code DTKD4J.TEACHER_CHANNELS_LAST} of the configuration
     * @return the source
     * @throws UncheckedIOException if the file cannot be read
     */
    public static TeacherSource fromFile(JavaSparkContext sc, Path file, String arch, boolean foldBatchNorm,
                                         boolean channelsLast) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the teacher " + file + ": " + e.getMessage(), e);
        }
        Broadcast<byte[]> content = sc.broadcast(bytes);
        String name = file.getFileName().toString();
        return () -> open(content.value(), name, arch, foldBatchNorm, channelsLast);
    }

    private static Teacher open(byte[] content, String name, String arch, boolean foldBatchNorm,
                                boolean channelsLast) {
        try {
            Path dir = Files.createTempDirectory("dtkd-teacher");
            Path copy = dir.resolve(name);
            Files.write(copy, content);
            try {
                return RunSetup.openTeacher(copy, arch, foldBatchNorm, channelsLast,
                        new PrintStream(OutputStream.nullOutputStream()));
            } finally {
                Files.delete(copy);
                Files.delete(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the broadcast teacher " + name + " to a temporary file: "
                    + e.getMessage(), e);
        }
    }
}
