package org.dtkd4j.core.data;

import org.nd4j.linalg.api.buffer.DataType;

/**
 * Builds the host-side (Java array) content of minibatch {@code b} of an epoch: augments the 8-bit images as the
 * {@link EpochPlan} says, then normalises them through a per-channel lookup table. Holds no mutable state, so the
 * prefetch worker and the calling thread produce identical batches.
 */
final class BatchAssembler {

    /**
     * One minibatch as Java arrays: features in {@code [example][channel][row][column]} order, in exactly one of
     * {@code floats} / {@code doubles} (the other is null), and class indices.
     *
     * @param floats  float features, or null
     * @param doubles double features, or null
     * @param labels  the label of each example
     */
    record Batch(float[] floats, double[] doubles, int[] labels) {

        int size() {
            return labels.length;
        }
    }

    private final ImageDataset dataset;
    private final int batchSize;
    private final int exampleBytes;
    private final float[][] floatTable;
    private final double[][] doubleTable;

    /**
     * Creates an assembler.
     *
     * @param dataset       the examples
     * @param normalization the normalisation, with the dataset's number of channels
     * @param batchSize     examples per batch (the last batch of an epoch may hold fewer)
     * @param dataType      {@link DataType#FLOAT} or {@link DataType#DOUBLE}
     */
    BatchAssembler(ImageDataset dataset, Normalization normalization, int batchSize, DataType dataType) {
        this.dataset = dataset;
        this.batchSize = batchSize;
        this.exampleBytes = dataset.channels() * dataset.height() * dataset.width();
        double[][] table = new double[dataset.channels()][256];
        for (int c = 0; c < table.length; c++) {
            for (int p = 0; p < 256; p++) {
                table[c][p] = normalization.apply(c, p);
            }
        }
        if (dataType == DataType.FLOAT) {
            floatTable = new float[table.length][256];
            for (int c = 0; c < table.length; c++) {
                for (int p = 0; p < 256; p++) {
                    floatTable[c][p] = (float) table[c][p];
                }
            }
            doubleTable = null;
        } else {
            floatTable = null;
            doubleTable = table;
        }
    }

    /** @return batches per epoch, {@code ceil(size / batchSize)}: the last, partial batch is kept */
    int batchesPerEpoch() {
        return (dataset.size() + batchSize - 1) / batchSize;
    }

    /**
     * Assembles one batch.
     *
     * @param plan  the epoch's plan
     * @param batch the batch index in the epoch, {@code 0 .. batchesPerEpoch()-1}
     * @return positions {@code batch * batchSize ..} of the plan's order, augmented and normalised
     */
    Batch assemble(EpochPlan plan, int batch) {
        int from = batch * batchSize;
        int n = Math.min(batchSize, dataset.size() - from);
        byte[] pixels = new byte[n * exampleBytes];
        int[] labels = new int[n];
        for (int k = 0; k < n; k++) {
            int position = from + k;
            int example = plan.order()[position];
            labels[k] = dataset.label(example);
            augment(example, plan.shiftY()[position], plan.shiftX()[position], plan.flip()[position], pixels,
                    k * exampleBytes);
        }
        return floatTable != null
                ? new Batch(toFloats(pixels), null, labels)
                : new Batch(null, toDoubles(pixels), labels);
    }

    /** Writes example {@code example} shifted by {@code (shiftY, shiftX)} and maybe flipped; out is pre-zeroed. */
    private void augment(int example, int shiftY, int shiftX, boolean flip, byte[] out, int outOffset) {
        byte[] source = dataset.pixelArray();
        int height = dataset.height();
        int width = dataset.width();
        int sourceOffset = example * exampleBytes;
        int firstX = Math.max(0, -shiftX);
        int endX = Math.min(width, width - shiftX);
        for (int c = 0; c < dataset.channels(); c++) {
            for (int y = 0; y < height; y++) {
                int sourceY = y + shiftY;
                if (sourceY < 0 || sourceY >= height) {
                    continue;
                }
                int outRow = outOffset + (c * height + y) * width;
                int sourceRow = sourceOffset + (c * height + sourceY) * width;
                if (!flip) {
                    if (endX > firstX) {
                        System.arraycopy(source, sourceRow + firstX + shiftX, out, outRow + firstX, endX - firstX);
                    }
                } else {
                    for (int x = 0; x < width; x++) {
                        int sourceX = width - 1 - x + shiftX;
                        if (sourceX >= 0 && sourceX < width) {
                            out[outRow + x] = source[sourceRow + sourceX];
                        }
                    }
                }
            }
        }
    }

    private float[] toFloats(byte[] pixels) {
        float[] features = new float[pixels.length];
        int area = dataset.height() * dataset.width();
        int i = 0;
        while (i < pixels.length) {
            for (float[] table : floatTable) {
                for (int end = i + area; i < end; i++) {
                    features[i] = table[pixels[i] & 0xFF];
                }
            }
        }
        return features;
    }

    private double[] toDoubles(byte[] pixels) {
        double[] features = new double[pixels.length];
        int area = dataset.height() * dataset.width();
        int i = 0;
        while (i < pixels.length) {
            for (double[] table : doubleTable) {
                for (int end = i + area; i < end; i++) {
                    features[i] = table[pixels[i] & 0xFF];
                }
            }
        }
        return features;
    }
}
