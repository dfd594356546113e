package org.dtkd4j.core.engine;

import org.dtkd4j.core.dl4j.Matrices;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Top-k accuracy counting, as the reference's {@code accuracy(output, target, topk=(1, 5))}: a sample counts as
 * correct at {@code k} when its label is among the {@code k} largest logits. Ties are resolved against the label
 * (a label tied with the k-th largest logit counts only if fewer than k logits are strictly larger and it comes
 * first among the tied ones, as a stable sort by descending value would place it).
 */
final class TopK {

    private TopK() {
    }

    /**
     * @param logits {@code [N, C]} scores
     * @param labels {@code [N, C]} one-hot labels (the first C columns are used, so packed labels work too)
     * @param ks how many of the largest scores count, one count per value
     * @return for each of {@code ks}, the number of rows whose label is within the top {@code k}
     */
    static int[] correct(INDArray logits, INDArray labels, int... ks) {
        double[][] s = Matrices.toRows(logits);
        double[][] y = Matrices.toRows(labels);
        int c = s[0].length;
        int[] hits = new int[ks.length];
        for (int i = 0; i < s.length; i++) {
            int label = argmax(y[i], c);
            double v = s[i][label];
            int ahead = 0;
            for (int j = 0; j < c; j++) {
                if (s[i][j] > v || (s[i][j] == v && j < label)) {
                    ahead++;
                }
            }
            for (int m = 0; m < ks.length; m++) {
                if (ahead < ks[m]) {
                    hits[m]++;
                }
            }
        }
        return hits;
    }

    /**
     * Counts top-1 hits of a training batch from the gradient of its mean cross-entropy, which the loss has already
     * computed: that gradient is {@code (softmax(s) − y) / N}, so {@code N·g + y} is the student's softmax, whose
     * argmax is the argmax of the logits (ties go to the first index, as in {@link #correct}). This avoids keeping
     * the logits of the training forward pass, which DL4J does not hand to listeners.
     *
     * @param ceGradient {@code [N][C]} gradient of the batch-mean cross-entropy with respect to the logits
     * @param targets {@code [N]} class index of each row
     * @return the number of rows whose logit argmax is the label
     */
    static int correctFromCrossEntropyGradient(double[][] ceGradient, int[] targets) {
        int n = ceGradient.length;
        int hits = 0;
        for (int i = 0; i < n; i++) {
            int c = ceGradient[i].length;
            double[] p = new double[c];
            for (int j = 0; j < c; j++) {
                p[j] = n * ceGradient[i][j] + (j == targets[i] ? 1 : 0);
            }
            if (argmax(p, c) == targets[i]) {
                hits++;
            }
        }
        return hits;
    }

    private static int argmax(double[] labels, int classes) {
        int best = 0;
        for (int j = 1; j < classes; j++) {
            if (labels[j] > labels[best]) {
                best = j;
            }
        }
        return best;
    }
}
