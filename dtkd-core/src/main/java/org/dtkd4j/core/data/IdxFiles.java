package org.dtkd4j.core.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reader of gzip-compressed IDX files (the MNIST / Fashion-MNIST format): a big-endian header of a magic number
 * {@code 0x000008DD} (type 0x08 = unsigned byte, {@code DD} dimensions) and one 32-bit size per dimension, then the
 * data, row-major. Images files have 3 dimensions ({@code count, rows, columns}, magic {@code 0x00000803}), labels
 * files 1 ({@code count}, magic {@code 0x00000801}).
 */
final class IdxFiles {

    private static final int IMAGES_MAGIC = 0x00000803;
    private static final int LABELS_MAGIC = 0x00000801;

    private IdxFiles() {
    }

    /**
     * Reads an images file whose images must be {@code rows x columns}.
     *
     * @param file    the {@code .gz} file
     * @param rows    the expected image height
     * @param columns the expected image width
     * @return the pixels, {@code count * rows * columns} bytes
     * @throws IllegalArgumentException on a bad header, other image sizes, a truncated record, trailing bytes or
     *                                  corrupt gzip data; the message names the file
     * @throws UncheckedIOException     on an I/O error
     */
    static byte[] readImages(Path file, int rows, int columns) {
        return read(file, IMAGES_MAGIC, "unsigned bytes, 3 dimensions", rows, columns);
    }

    /**
     * Reads a labels file whose labels must be in {@code 0 .. classes-1}.
     *
     * @param file    the {@code .gz} file
     * @param classes the number of classes
     * @return the labels
     * @throws IllegalArgumentException as {@link #readImages(Path, int, int)}, or if a label is out of range
     * @throws UncheckedIOException     on an I/O error
     */
    static int[] readLabels(Path file, int classes) {
        byte[] bytes = read(file, LABELS_MAGIC, "unsigned bytes, 1 dimension");
        int[] labels = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            labels[i] = bytes[i] & 0xFF;
            if (labels[i] >= classes) {
                throw new IllegalArgumentException("IDX file " + file + ": record " + i + " has label " + labels[i]
                        + ", expected 0.." + (classes - 1));
            }
        }
        return labels;
    }

    private static byte[] read(Path file, int magic, String magicMeaning, int... recordShape) {
        try (InputStream in = new BufferedInputStream(new GZIPInputStream(Files.newInputStream(file), 1 << 16))) {
            int headerBytes = 4 * (2 + recordShape.length);
            byte[] headerArray = in.readNBytes(headerBytes);
            ByteBuffer header = ByteBuffer.wrap(headerArray);
            // The magic number first: a wrong kind of file may well be shorter than the expected header.
            if (headerArray.length >= 4) {
                int foundMagic = header.getInt();
                if (foundMagic != magic) {
                    throw new IllegalArgumentException(String.format(
                            "IDX file %s: magic number 0x%08X, expected 0x%08X (%s)", file, foundMagic, magic,
                            magicMeaning));
                }
            }
            if (headerArray.length < headerBytes) {
                throw new IllegalArgumentException("IDX file " + file + ": header truncated, found "
                        + headerArray.length + " of " + headerBytes + " bytes");
            }
            int count = header.getInt();
            if (count < 1) {
                throw new IllegalArgumentException("IDX file " + file + ": header declares " + count
                        + " records, expected at least 1");
            }
            long recordBytes = 1;
            StringBuilder found = new StringBuilder();
            StringBuilder expected = new StringBuilder();
            for (int dimension : recordShape) {
                int size = header.getInt();
                recordBytes *= dimension;
                found.append(found.length() == 0 ? "" : "x").append(size);
                expected.append(expected.length() == 0 ? "" : "x").append(dimension);
            }
            if (!found.toString().equals(expected.toString())) {
                throw new IllegalArgumentException("IDX file " + file + ": records of " + found + " found, expected "
                        + expected);
            }
            long total = count * recordBytes;
            if (total > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("IDX file " + file + ": header declares " + count + " records of "
                        + recordBytes + " bytes, more than one array can hold");
            }
            byte[] data = in.readNBytes((int) total);
            if (data.length < total) {
                throw new IllegalArgumentException("IDX file " + file + ": record " + data.length / recordBytes
                        + " is truncated, found " + data.length % recordBytes + " of " + recordBytes
                        + " bytes (the header declares " + count + " records)");
            }
            long trailing = in.transferTo(OutputStream.nullOutputStream());
            if (trailing > 0) {
                throw new IllegalArgumentException("IDX file " + file + ": " + trailing + " bytes after the " + count
                        + " records the header declares");
            }
            return data;
        } catch (ZipException | EOFException e) {
            throw new IllegalArgumentException("IDX file " + file + ": not gzip data, or corrupt or truncated ("
                    + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read IDX file " + file + ": " + e, e);
        }
    }
}
