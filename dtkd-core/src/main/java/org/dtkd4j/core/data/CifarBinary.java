package org.dtkd4j.core.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Reader of the CIFAR "binary version" files. Each record is the label byte(s) followed by a 32x32 colour image
 * as 3,072 bytes: 1,024 red, then 1,024 green, then 1,024 blue values, each plane row-major. CIFAR-10 records have
 * one label byte (0..9); CIFAR-100 records have a coarse (0..19) then a fine (0..99) label byte, and the fine one is
 * the label used. That image layout is already {@code [channel][row][column]}, so images are copied as they are.
 */
final class CifarBinary {

    /** Bytes of one image: 3 channels of 32x32. */
    private static final int IMAGE_BYTES = 3 * 32 * 32;

    /**
     * The label layout of one CIFAR variant.
     *
     * @param title         the dataset's name in messages, e.g. {@code "CIFAR-100"}
     * @param coarseClasses number of coarse classes, or 0 when records carry no coarse label byte
     * @param classes       number of (fine) classes
     */
    record Layout(String title, int coarseClasses, int classes) {

        static final Layout CIFAR10 = new Layout("CIFAR-10", 0, 10);
        static final Layout CIFAR100 = new Layout("CIFAR-100", 20, 100);

        int labelBytes() {
            return coarseClasses > 0 ? 2 : 1;
        }

        int recordBytes() {
            return labelBytes() + IMAGE_BYTES;
        }
    }

    /**
     * Decoded examples.
     *
     * @param pixels {@code labels.length * IMAGE_BYTES} pixel bytes
     * @param labels the (fine) labels
     */
    record Examples(byte[] pixels, int[] labels) {
    }

    private CifarBinary() {
    }

    /**
     * Reads and concatenates CIFAR binary files, validating every record.
     *
     * @param layout the label layout
     * @param files  the files, in order
     * @return the examples of all files
     * @throws IllegalArgumentException if a file is empty or ends in a truncated record, or a label byte is out of
     *                                  range; the message names the file and record
     * @throws UncheckedIOException     on an I/O error
     */
    static Examples read(Layout layout, List<Path> files) {
        int recordBytes = layout.recordBytes();
        long[] records = new long[files.size()];
        long total = 0;
        for (int f = 0; f < files.size(); f++) {
            Path file = files.get(f);
            long size = size(file);
            if (size == 0) {
                throw new IllegalArgumentException(layout.title() + " file " + file + " is empty, expected records of "
                        + recordBytes + " bytes");
            }
            if (size % recordBytes != 0) {
                throw new IllegalArgumentException(layout.title() + " file " + file + ": record " + size / recordBytes
                        + " is truncated, found " + size % recordBytes + " of " + recordBytes + " bytes (file size "
                        + size + ")");
            }
            records[f] = size / recordBytes;
            total += records[f];
        }
        if (total * IMAGE_BYTES > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(layout.title() + " files " + files + " hold " + total
                    + " records, more than one pixel array can hold");
        }
        byte[] pixels = new byte[(int) total * IMAGE_BYTES];
        int[] labels = new int[(int) total];
        int example = 0;
        byte[] labelBytes = new byte[layout.labelBytes()];
        for (int f = 0; f < files.size(); f++) {
            Path file = files.get(f);
            try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
                for (long record = 0; record < records[f]; record++, example++) {
                    if (in.readNBytes(labelBytes, 0, labelBytes.length) != labelBytes.length
                            || in.readNBytes(pixels, example * IMAGE_BYTES, IMAGE_BYTES) != IMAGE_BYTES) {
                        throw new IllegalArgumentException(layout.title() + " file " + file + ": record " + record
                                + " is truncated (the file shrank while being read)");
                    }
                    if (layout.coarseClasses() > 0) {
                        checkLabel(layout, file, record, "coarse label", labelBytes[0] & 0xFF,
                                layout.coarseClasses());
                    }
                    labels[example] = checkLabel(layout, file, record,
                            layout.coarseClasses() > 0 ? "fine label" : "label",
                            labelBytes[labelBytes.length - 1] & 0xFF, layout.classes());
                }
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read " + layout.title() + " file " + file + ": " + e, e);
            }
        }
        return new Examples(pixels, labels);
    }

    private static int checkLabel(Layout layout, Path file, long record, String what, int value, int classes) {
        if (value >= classes) {
            throw new IllegalArgumentException(layout.title() + " file " + file + ": record " + record + " has "
                    + what + " byte " + value + ", expected 0.." + (classes - 1));
        }
        return value;
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the size of " + file + ": " + e, e);
        }
    }
}
