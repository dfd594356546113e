package org.dtkd4j.core.loss;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Random;

import org.dtkd4j.core.config.Method;

/**
 * A digest of every method's closed-form results (loss, per-sample values, gradient, terms) on one batch of wide and
 * ordinary rows: equal digests are equal bits. {@link #main} prints the exponential in use and the digest, for
 * {@code ExponentialsTest} to compare JVMs started with and without the vector module.
 */
final class LossBits {

    private LossBits() {
    }

    public static void main(String[] args) throws NoSuchAlgorithmException {
        System.out.println("exponentials: " + Exponentials.kernel());
        System.out.println("digest: " + digest());
    }

    /** @return the SHA-256 of every method's results, in hexadecimal */
    static String digest() throws NoSuchAlgorithmException {
        int n = 48;
        int c = 257;
        Random r = new Random(17);
        double[][] s = new double[n][c];
        double[][] t = new double[n][c];
        int[] targets = new int[n];
        for (int i = 0; i < n; i++) {
            double width = i % 4 == 0 ? 300 : 1;
            for (int j = 0; j < c; j++) {
                s[i][j] = width * 2 * r.nextGaussian();
                t[i][j] = width * 3 * r.nextGaussian() + 1;
            }
            targets[i] = r.nextInt(c);
        }
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (Method method : Method.values()) {
            LossResult result = DistillationLosses.evaluate(method.defaultConfig(), s, t, targets, 7);
            add(sha, result.total());
            add(sha, result.perSampleTotal());
            for (double[] row : result.gradient()) {
                add(sha, row);
            }
            for (TermResult term : result.terms().values()) {
                add(sha, term.value());
                add(sha, term.perSample());
                for (double[] row : term.gradient()) {
                    add(sha, row);
                }
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static void add(MessageDigest sha, double... values) {
        ByteBuffer bytes = ByteBuffer.allocate(8 * values.length);
        for (double v : values) {
            bytes.putLong(Double.doubleToLongBits(v));
        }
        sha.update(bytes.array());
    }
}
