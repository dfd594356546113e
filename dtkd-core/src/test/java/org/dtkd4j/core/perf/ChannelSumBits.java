package org.dtkd4j.core.perf;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Random;

/**
 * A digest of {@link FusedBatchNorm}'s channel sums (sum, squared deviations, gradient sums) at lengths around and
 * across its row width: equal digests are equal bits. {@link #main} prints which form ran and the digest, for
 * {@code FusedBatchNormTest} to compare JVMs started with and without the vector module.
 */
final class ChannelSumBits {

    /** Lengths below, at and past one row, whole rows, and whole rows with a tail. */
    static final int[] LENGTHS = {1, 5, FusedBatchNorm.WIDTH - 1, FusedBatchNorm.WIDTH, FusedBatchNorm.WIDTH + 1,
        3 * FusedBatchNorm.WIDTH + 17, 64 * FusedBatchNorm.WIDTH, 64 * FusedBatchNorm.WIDTH + 100};

    private ChannelSumBits() {
    }

    public static void main(String[] args) throws NoSuchAlgorithmException {
        System.out.println("channel sums: " + (FusedBatchNorm.VECTOR ? "vectorised" : "scalar"));
        System.out.println("digest: " + digest());
    }

    /** @return the SHA-256 of every sum at every length of {@link #LENGTHS}, in hexadecimal */
    static String digest() throws NoSuchAlgorithmException {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        Random r = new Random(23);
        float[] partial = new float[FusedBatchNorm.WIDTH];
        float[] second = new float[FusedBatchNorm.WIDTH];
        double[] sums = new double[2];
        for (int length : LENGTHS) {
            float[] x = values(r, length, 3, 1.5f);
            float[] dy = values(r, length, 1e-3f, 0);
            float m = (float) (FusedBatchNorm.sum(x, length, partial) / length);
            FusedBatchNorm.gradientSums(dy, x, m, length, partial, second, sums);
            add(sha, m, FusedBatchNorm.squaredDeviations(x, m, length, partial), sums[0], sums[1]);
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /** @return {@code length} values {@code scale·g + offset}, {@code g} standard normal */
    static float[] values(Random r, int length, float scale, float offset) {
        float[] v = new float[length];
        for (int i = 0; i < length; i++) {
            v[i] = (float) (scale * r.nextGaussian() + offset);
        }
        return v;
    }

    private static void add(MessageDigest sha, double... values) {
        ByteBuffer bytes = ByteBuffer.allocate(8 * values.length);
        for (double v : values) {
            bytes.putLong(Double.doubleToLongBits(v));
        }
        sha.update(bytes.array());
    }
}
