package org.dtkd4j.core.perf;

import java.nio.FloatBuffer;
import java.util.Collections;
import java.util.Map;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.deeplearning4j.nn.layers.normalization.BatchNormalizationHelper;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

/**
 * BatchNorm forward and backward for float32 NCHW activations on ND4J's CPU backend, each one fused pass over the
 * data in Java, installed in place of DL4J's layer helper.
 *
 * <p>DL4J 1.0.0-M2.1 trains a BatchNorm layer in several native calls per pass: its oneDNN helper
 * ({@code MKLDNNBatchNormHelper}) reduces the batch mean and variance with two ND4J reductions and then runs libnd4j's
 * {@code batchnorm} op, and runs libnd4j's {@code batchnorm_bp} op for the backward pass; DL4J's built-in path (no
 * helper) takes a dozen broadcast and reduction ops. Measured on a 2-core AMD EPYC for a {@code [64, 16, 32, 32]}
 * float batch: 4.7 ms forward and 6.0 ms backward with the oneDNN helper; this class 1.0 ms and 1.2 ms. With
 * {@code M = N·H·W} values per channel {@code c}, batch mean {@code μ}, biased batch variance {@code σ²},
 * {@code r = 1/√(σ² + ε)} and {@code x̂ = (x − μ)·r}:
 * <pre>
 *   forward (training)   y  = γ·x̂ + β                        (μ, σ² two-pass, sums in double)
 *   forward (inference)  y  = γ·(x − μ_run)/√(σ²_run + ε) + β
 *   backward             ∂β = Σ ∂y,   ∂γ = Σ ∂y·x̂,
 *                        ∂x = γ·r·(∂y − ∂β/M − x̂·∂γ/M)
 * </pre>
 * (Ioffe and Szegedy, "Batch Normalization", arXiv 1502.03167, algorithm 1 and section 3). It works one channel at a
 * time on a per-thread Java copy of that channel's {@code N·H·W} values (bulk copies of its {@code N} runs), so its
 * memory is two such arrays per thread; the per-channel constants are computed in double and each pass is one loop
 * over the values. Outputs, gradients and parameters after steps agree with DL4J's own BatchNorm computed in float64
 * to float32 rounding (tested in {@code FusedBatchNormTest}), and are deterministic (one thread, a fixed order).
 *
 * <p>As DL4J's helpers, it returns the batch statistics through {@link #getMeanCache}/{@link #getVarCache}, from
 * which the layer updates its running statistics (biased variance; the engine's {@code TorchBatchNorm} listener makes
 * that update PyTorch's), and it declines ({@code null}) what it does not compute (a data type other than float32,
 * NHWC), which sends that call to DL4J's built-in path. {@link #install} puts one instance into each BatchNorm layer
 * of a live graph; layers built later (a clone, a restored checkpoint, a {@code ParallelWrapper} replica) get DL4J's
 * own helper again.
 */
public final class FusedBatchNorm implements BatchNormalizationHelper {

    /** The per-thread working copies of one channel's values (activations and gradients), grown on demand. */
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[2][0]);

    private static final PrivateField<BatchNormalization, BatchNormalizationHelper> HELPER =
            new PrivateField<>(BatchNormalization.class, "helper");

    private double[] batchMean = new double[0];
    private double[] batchVariance = new double[0];
    private double[] batchInvStd = new double[0];
    private INDArray meanCache;
    private INDArray varCache;

    /** A helper for one layer; {@link #install} creates them. */
    FusedBatchNorm() {
    }

    /**
     * Replaces the helper of every BatchNorm layer of {@code graph} that this class can serve (NCHW layout, trainable
     * {@code γ} and {@code β}) by a new instance of this class, on ND4J's CPU backend; elsewhere (e.g. CUDA, whose
     * helpers are native) it does nothing.
     *
     * @param graph an initialised graph
     * @return the number of layers that now use this class
     */
    public static int install(ComputationGraph graph) {
        if (!HostMemory.CPU) {
            return 0;
        }
        int installed = 0;
        for (Layer layer : graph.getLayers()) {
            if (layer instanceof BatchNormalization bn && servable(bn)) {
                HELPER.set(bn, new FusedBatchNorm(), "BatchNorm layer " + bn.getIndex());
                installed++;
            }
        }
        return installed;
    }

    /**
     * @param graph a graph
     * @return the number of its BatchNorm layers that use this class
     */
    public static int installedIn(ComputationGraph graph) {
        int n = 0;
        for (Layer layer : graph.getLayers()) {
            if (layer instanceof BatchNormalization bn && bn.getHelper() instanceof FusedBatchNorm) {
                n++;
            }
        }
        return n;
    }

    private static boolean servable(BatchNormalization layer) {
        org.deeplearning4j.nn.conf.layers.BatchNormalization conf =
                (org.deeplearning4j.nn.conf.layers.BatchNormalization) layer.conf().getLayer();
        return !conf.isLockGammaBeta() && conf.getCnn2DFormat() == CNN2DFormat.NCHW;
    }

    @Override
    public boolean checkSupported() {
        return true;
    }

    @Override
    public boolean checkSupported(double eps, boolean fixedGammaBeta) {
        return !fixedGammaBeta;
    }

    @Override
    public INDArray preOutput(INDArray x, boolean training, long[] shape, INDArray gamma, INDArray beta, INDArray mean,
                              INDArray var, double decay, double eps, CNN2DFormat format,
                              LayerWorkspaceMgr workspaceMgr) {
        Layout l = Layout.of(x, format);
        if (l == null || gamma == null || beta == null) {
            return null;
        }
        Channels in = Channels.of(contiguous(x), l);
        Channels out = Channels.of(workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, x.dataType(), x.shape(),
                'c'), l);
        double[] g = gamma.toDoubleVector();
        double[] b = beta.toDoubleVector();
        double[] center = training ? null : mean.toDoubleVector();
        double[] runningVar = training ? null : var.toDoubleVector();
        if (training) {
            prepareStatistics(l.channels());
        }
        float[] values = scratch(0, l.channelLength());
        for (int c = 0; c < l.channels(); c++) {
            in.read(c, values);
            double m;
            double scale;
            if (training) {
                statistics(c, values, l, eps);
                m = batchMean[c];
                scale = g[c] * batchInvStd[c];
            } else {
                m = center[c];
                scale = g[c] / Math.sqrt(runningVar[c] + eps);
            }
            // (x − μ)·s + β, not x·s + (β − μ·s): the latter cancels when |μ| is large next to the spread
            float mf = (float) m;
            float sc = (float) scale;
            float sh = (float) b[c];
            for (int k = 0, end = l.channelLength(); k < end; k++) {
                values[k] = (values[k] - mf) * sc + sh;
            }
            out.write(c, values);
        }
        if (training) {
            publishStatistics();
        }
        return out.array();
    }

    private void prepareStatistics(int channels) {
        if (batchMean.length != channels) {
            batchMean = new double[channels];
            batchInvStd = new double[channels];
            batchVariance = new double[channels];
        }
    }

    /** Channel {@code c}'s batch mean, biased variance and {@code 1/√(σ² + ε)}, two-pass, into the fields. */
    private void statistics(int c, float[] values, Layout l, double eps) {
        double count = l.channelLength();
        double m = sum(values, l) / count;
        float mf = (float) m;
        double v = centeredProducts(values, mf, values, mf, l) / count;
        batchMean[c] = m;
        batchVariance[c] = v;
        batchInvStd[c] = 1 / Math.sqrt(v + eps);
    }

    /** Copies the batch statistics into the arrays DL4J's layer reads to update its running statistics. */
    private void publishStatistics() {
        int channels = batchMean.length;
        if (meanCache == null || meanCache.length() != channels) {
            try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                meanCache = Nd4j.create(DataType.FLOAT, channels);
                varCache = Nd4j.create(DataType.FLOAT, channels);
            }
        }
        float[] meanF = new float[channels];
        float[] varianceF = new float[channels];
        for (int c = 0; c < channels; c++) {
            meanF[c] = (float) batchMean[c];
            varianceF[c] = (float) batchVariance[c];
        }
        FloatBuffer means = meanCache.data().asNioFloat();
        means.put(means.position(), meanF);
        FloatBuffer variances = varCache.data().asNioFloat();
        variances.put(variances.position(), varianceF);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray input, INDArray epsilon, long[] shape, INDArray gamma,
                                                     INDArray beta, INDArray dGammaView, INDArray dBetaView,
                                                     double eps, CNN2DFormat format, LayerWorkspaceMgr workspaceMgr) {
        Layout l = Layout.of(input, format);
        if (l == null || gamma == null || dGammaView == null || batchMean.length != l.channels()) {
            return null;
        }
        int channels = l.channels();
        Channels in = Channels.of(contiguous(input), l);
        Channels gradOut = Channels.of(contiguous(epsilon), l);
        Channels gradIn = Channels.of(workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, input.dataType(),
                input.shape(), 'c'), l);
        float[] x = scratch(0, l.channelLength());
        float[] dy = scratch(1, l.channelLength());
        double[] g = gamma.toDoubleVector();
        double count = l.channelLength();
        float[] dGamma = new float[channels];
        float[] dBeta = new float[channels];
        for (int c = 0; c < channels; c++) {
            in.read(c, x);
            gradOut.read(c, dy);
            float m = (float) batchMean[c];
            double sumDy = sum(dy, l);
            double sumDyXc = centeredProducts(dy, 0f, x, m, l);
            double r = batchInvStd[c];
            double dg = sumDyXc * r;
            dBeta[c] = (float) sumDy;
            dGamma[c] = (float) dg;
            // ∂x = a·∂y + b·(x − μ) + k with a = γr, b = −γr²·∂γ/M, k = −γr·∂β/M
            double a = g[c] * r;
            float af = (float) a;
            float bf = (float) (-a * r * dg / count);
            float kf = (float) (-a * sumDy / count);
            for (int i = 0, end = l.channelLength(); i < end; i++) {
                dy[i] = af * dy[i] + bf * (x[i] - m) + kf;
            }
            gradIn.write(c, dy);
        }
        dGammaView.assign(Nd4j.createFromArray(dGamma).reshape(dGammaView.shape()));
        dBetaView.assign(Nd4j.createFromArray(dBeta).reshape(dBetaView.shape()));
        Gradient gradient = new DefaultGradient();
        gradient.setGradientFor(BatchNormalizationParamInitializer.GAMMA, dGammaView);
        gradient.setGradientFor(BatchNormalizationParamInitializer.BETA, dBetaView);
        return new Pair<>(gradient, gradIn.array());
    }

    // The sums below run over one channel's values (laid out as by Channels.read), one H·W run at a time: each run is
    // summed in float with four independent accumulators (one accumulator makes every addition wait for the previous
    // one, the JIT not reordering floating-point sums, which made the reductions latency-bound), the runs in double.

    /** @return {@code Σ v} over one channel's values */
    private static double sum(float[] v, Layout l) {
        double total = 0;
        for (int n = 0; n < l.batch(); n++) {
            total += sum(v, n * l.spatial(), l.spatial());
        }
        return total;
    }

    /** @return {@code Σ (a − ma)·(b − mb)} over one channel's values */
    private static double centeredProducts(float[] a, float ma, float[] b, float mb, Layout l) {
        double total = 0;
        for (int n = 0; n < l.batch(); n++) {
            total += centeredProducts(a, ma, b, mb, n * l.spatial(), l.spatial());
        }
        return total;
    }

    /** @return {@code Σ v[from, from + len)} */
    private static double sum(float[] v, int from, int len) {
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        int k = from;
        for (int end = from + (len & ~3); k < end; k += 4) {
            s0 += v[k];
            s1 += v[k + 1];
            s2 += v[k + 2];
            s3 += v[k + 3];
        }
        for (int end = from + len; k < end; k++) {
            s0 += v[k];
        }
        return (double) s0 + s1 + s2 + s3;
    }

    /** @return {@code Σ (a − ma)·(b − mb)} over {@code [from, from + len)} */
    private static double centeredProducts(float[] a, float ma, float[] b, float mb, int from, int len) {
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        int k = from;
        for (int end = from + (len & ~3); k < end; k += 4) {
            s0 += (a[k] - ma) * (b[k] - mb);
            s1 += (a[k + 1] - ma) * (b[k + 1] - mb);
            s2 += (a[k + 2] - ma) * (b[k + 2] - mb);
            s3 += (a[k + 3] - ma) * (b[k + 3] - mb);
        }
        for (int end = from + len; k < end; k++) {
            s0 += (a[k] - ma) * (b[k] - mb);
        }
        return (double) s0 + s1 + s2 + s3;
    }

    @Override
    public INDArray getMeanCache(DataType dataType) {
        return meanCache;
    }

    @Override
    public INDArray getVarCache(DataType dataType) {
        return varCache;
    }

    @Override
    public Map<String, Long> helperMemoryUse() {
        return Collections.emptyMap();
    }

    /**
     * The extents of an activation this class computes: float32, rank 4 NCHW (DL4J passes dense activations as
     * {@code [N, C, 1, 1]}), at most {@code Integer.MAX_VALUE} values.
     */
    private record Layout(int batch, int channels, int spatial) {

        static Layout of(INDArray x, CNN2DFormat format) {
            if (x.dataType() != DataType.FLOAT || x.rank() != 4 || format != CNN2DFormat.NCHW
                    || x.length() > Integer.MAX_VALUE) {
                return null;
            }
            return new Layout((int) x.size(0), (int) x.size(1), (int) (x.size(2) * x.size(3)));
        }

        /** @return the values of one channel: {@code N·H·W} */
        int channelLength() {
            return batch * spatial;
        }
    }

    /**
     * An NCHW array of its own ({@link #contiguous}) read and written one channel at a time: the channel's {@code N}
     * runs of {@code H·W} values gathered into, or scattered from, {@code N·H·W} consecutive floats.
     */
    private record Channels(INDArray array, FloatBuffer buffer, int start, Layout layout) {

        static Channels of(INDArray array, Layout layout) {
            FloatBuffer buffer = array.data().asNioFloat();
            return new Channels(array, buffer, buffer.position(), layout);
        }

        void read(int c, float[] to) {
            int hw = layout.spatial();
            for (int n = 0; n < layout.batch(); n++) {
                buffer.get(start + (n * layout.channels() + c) * hw, to, n * hw, hw);
            }
        }

        void write(int c, float[] from) {
            int hw = layout.spatial();
            for (int n = 0; n < layout.batch(); n++) {
                buffer.put(start + (n * layout.channels() + c) * hw, from, n * hw, hw);
            }
        }
    }

    /** @return {@code a} itself when it is a C-ordered array of its own, else a C-ordered copy */
    private static INDArray contiguous(INDArray a) {
        boolean own = !a.isView() && a.ordering() == 'c' && a.offset() == 0 && Shape.hasDefaultStridesForShape(a);
        return own ? a : a.dup('c');
    }

    private static float[] scratch(int which, int length) {
        float[][] s = SCRATCH.get();
        if (s[which].length < length) {
            s[which] = new float[length];
        }
        return s[which];
    }

}
