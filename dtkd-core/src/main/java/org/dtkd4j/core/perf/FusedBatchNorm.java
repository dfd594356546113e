package org.dtkd4j.core.perf;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.graph.vertex.impl.LayerVertex;
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
 * float batch: 4.7 ms forward and 6.0 ms backward with the oneDNN helper; this class, on one thread with scalar sums,
 * 1.0 ms and 1.2 ms. With {@code M = N·H·W} values per channel {@code c}, batch mean {@code μ}, biased batch variance
 * {@code σ²}, {@code r = 1/√(σ² + ε)} and {@code x̂ = (x − μ)·r}:
 * <pre>
 *   forward (training)   y  = γ·x̂ + β                        (μ, σ² two-pass, sums in double)
 *   forward (inference)  y  = γ·(x − μ_run)/√(σ²_run + ε) + β
 *   backward             ∂β = Σ ∂y,   ∂γ = Σ ∂y·x̂,
 *                        ∂x = γ·r·(∂y − ∂β/M − x̂·∂γ/M)
 * </pre>
 * (Ioffe and Szegedy, "Batch Normalization", arXiv 1502.03167, algorithm 1 and section 3). It works one channel at a
 * time on a per-thread Java copy of that channel's {@code N·H·W} values (bulk copies of its {@code N} runs), so its
 * memory is two such arrays per thread; it runs on the calling thread (sharing the channels out across two cores
 * measured slower inside a training step, where oneDNN's threads hold the other core). The per-channel constants are
 * computed in double; each sum is {@value #WIDTH} float running sums added up in double ({@link #sum}), in vector form
 * where the JDK's vector API runs ({@link VectorApi}), and the outputs are one loop over the values, in a fixed order:
 * deterministic, and the same bits whichever form runs (tested). Outputs, gradients and parameters after steps agree with DL4J's own BatchNorm computed in
 * float64 to float32 rounding (tested in {@code FusedBatchNormTest}). Where a ReLU alone takes a layer's output,
 * this class applies it too ({@link #fuseRelu}).
 *
 * <p>As DL4J's helpers, it returns the batch statistics through {@link #getMeanCache}/{@link #getVarCache}, from
 * which the layer updates its running statistics (biased variance; the engine's {@code TorchBatchNorm} listener makes
 * that update PyTorch's), and it declines ({@code null}) what it does not compute (a data type other than float32,
 * NHWC), which sends that call to DL4J's built-in path. {@link #install} puts one instance into each BatchNorm layer
 * of a live graph; layers built later (a clone, a restored checkpoint, a {@code ParallelWrapper} replica) get DL4J's
 * own helper again.
 */
public final class FusedBatchNorm implements BatchNormalizationHelper {

    /**
     * How many running sums a channel's sums keep ({@link #sum}): a multiple of every vector width, and large enough
     * that each sums few values (a {@code [64, 16, 32, 32]} batch: 256 per sum), small enough that adding them up
     * costs little next to a channel's values ({@code [64, 64, 8, 8]}: 4,096).
     */
    static final int WIDTH = 256;

    /** Whether the sums and the ReLU run in vector form ({@link ChannelVectorKernels}; the same bits as scalar). */
    static final boolean VECTOR = VectorApi.usable() && WIDTH % ChannelVectorKernels.lanes() == 0;

    private static final int VALUES = 0;
    private static final int GRADIENTS = 1;
    private static final int PARTIAL = 2;
    private static final int SECOND_PARTIAL = 3;

    /** Each thread's working copies of one channel's values (activations, gradients) and partial sums. */
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[4][0]);

    private static final PrivateField<BatchNormalization, BatchNormalizationHelper> HELPER =
            new PrivateField<>(BatchNormalization.class, "helper");

    private double[] batchMean = new double[0];
    private double[] batchVariance = new double[0];
    private double[] batchInvStd = new double[0];
    private INDArray meanCache;
    private INDArray varCache;
    /** Whether this layer's output goes to a ReLU alone, which this helper then applies ({@link #fuseRelu}). */
    private boolean fusedRelu;
    /** Whether the last forward pass served applied the ReLU (and so the backward pass must apply its mask). */
    private boolean reluApplied;
    /** Whether the last forward pass served was a training pass (the backward pass recomputes its output). */
    private boolean trainingPass;

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
     * Lets every BatchNorm layer of {@code graph} that runs this class ({@link #install}) and whose output goes to
     * one {@link MaskReLU} alone ({@link MaskReLU#install}) apply that ReLU itself: its forward pass writes
     * {@code relu(y) = y < 0 ? 0 : y} of its output {@code y}, and its backward pass multiplies the gradient it
     * receives by {@code step(y) = y > 0 ? 1 : 0}, with {@code y} computed again from the input exactly as forward,
     * while the ReLU layer passes its input and its gradient on unchanged. These are libnd4j's ReLU and step ops,
     * which {@link MaskReLU} runs, so the numbers are the same bits (tested); it saves the ReLU layer's op forward
     * and its step op backward (passing the gradient on still copies it where DL4J keeps the two layers' gradients
     * in different workspaces, as a training step does). A BatchNorm layer whose call this class declines (it then
     * runs DL4J's path) leaves the ReLU to its layer for that pass.
     *
     * @param graph an initialised graph, after {@link MaskReLU#install} and {@link #install}
     * @return the number of BatchNorm layers that now apply their ReLU
     */
    public static int fuseRelu(ComputationGraph graph) {
        Map<String, List<String>> inputs = graph.getConfiguration().getVertexInputs();
        Set<String> outputs = Set.copyOf(graph.getConfiguration().getNetworkOutputs());
        int fused = 0;
        for (GraphVertex vertex : graph.getVertices()) {
            if (!(vertex instanceof LayerVertex lv) || !(lv.getLayer() instanceof BatchNormalization bn)
                    || !(bn.getHelper() instanceof FusedBatchNorm helper)
                    || outputs.contains(lv.getVertexName())) {
                continue;
            }
            List<String> consumers = inputs.entrySet().stream()
                    .filter(e -> e.getValue().contains(lv.getVertexName())).map(Map.Entry::getKey).toList();
            if (consumers.size() == 1 && graph.getVertex(consumers.get(0)) instanceof LayerVertex next
                    && next.getLayer() instanceof MaskReLU relu) {
                helper.fusedRelu = true;
                relu.appliedBy(helper);
                fused++;
            }
        }
        return fused;
    }

    /**
     * @return which form of the sums and the ReLU runs, for example {@code "vectorised, 16 floats per vector"} or
     *         {@code "scalar (start the JVM with --add-modules jdk.incubator.vector to vectorise)"}
     */
    public static String kernel() {
        return VECTOR ? "vectorised, " + ChannelVectorKernels.lanes() + " floats per vector"
                : "scalar (" + (VectorApi.usable() ? "this CPU's vectors do not divide " + WIDTH
                : VectorApi.unavailability()) + ")";
    }

    /** @return whether the last forward pass this helper served applied the ReLU after it ({@link #fuseRelu}) */
    boolean reluApplied() {
        return reluApplied;
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
        reluApplied = false;
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
        float[] values = scratch(VALUES, l.channelLength());
        float[] partial = scratch(PARTIAL, WIDTH);
        for (int c = 0; c < l.channels(); c++) {
            in.read(c, values);
            double m;
            double scale;
            if (training) {
                statistics(c, values, l, eps, partial);
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
            int k = 0;
            if (fusedRelu) {
                k = VECTOR ? ChannelVectorKernels.normalizeRelu(values, mf, sc, sh, l.channelLength()) : 0;
                for (int end = l.channelLength(); k < end; k++) {
                    float y = (values[k] - mf) * sc + sh;
                    values[k] = y < 0f ? 0f : y;
                }
            } else {
                for (int end = l.channelLength(); k < end; k++) {
                    values[k] = (values[k] - mf) * sc + sh;
                }
            }
            out.write(c, values);
        }
        if (training) {
            publishStatistics();
        }
        reluApplied = fusedRelu;
        trainingPass = training;
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
    private void statistics(int c, float[] values, Layout l, double eps, float[] partial) {
        int length = l.channelLength();
        double m = sum(values, length, partial) / length;
        double v = squaredDeviations(values, (float) m, length, partial) / length;
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
        boolean declined = l == null || gamma == null || dGammaView == null || batchMean.length != l.channels();
        if (reluApplied && (declined || !trainingPass)) {
            throw new IllegalStateException("BatchNorm backward pass: the forward pass applied the ReLU after it, "
                    + "which DL4J's own backward pass would leave out; found input " + input.dataType() + " "
                    + Arrays.toString(input.shape()) + " after " + (trainingPass ? "a training" : "an inference")
                    + " pass with " + batchMean.length + " channels' statistics");
        }
        if (declined) {
            return null;
        }
        boolean masked = reluApplied;
        int channels = l.channels();
        Channels in = Channels.of(contiguous(input), l);
        Channels gradOut = Channels.of(contiguous(epsilon), l);
        Channels gradIn = Channels.of(workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, input.dataType(),
                input.shape(), 'c'), l);
        double[] g = gamma.toDoubleVector();
        double[] b = masked ? beta.toDoubleVector() : null;
        float[] dGamma = new float[channels];
        float[] dBeta = new float[channels];
        int length = l.channelLength();
        float[] x = scratch(VALUES, length);
        float[] dy = scratch(GRADIENTS, length);
        float[] partialDy = scratch(PARTIAL, WIDTH);
        float[] partialDyXc = scratch(SECOND_PARTIAL, WIDTH);
        double[] sums = new double[2];
        for (int c = 0; c < channels; c++) {
            in.read(c, x);
            gradOut.read(c, dy);
            float m = (float) batchMean[c];
            if (masked) {
                maskGradient(dy, x, m, (float) (g[c] * batchInvStd[c]), (float) b[c], length);
            }
            gradientSums(dy, x, m, length, partialDy, partialDyXc, sums);
            double sumDy = sums[0];
            double r = batchInvStd[c];
            double dg = sums[1] * r;
            dBeta[c] = (float) sumDy;
            dGamma[c] = (float) dg;
            // ∂x = a·∂y + b·(x − μ) + k with a = γr, b = −γr²·∂γ/M, k = −γr·∂β/M
            double a = g[c] * r;
            float af = (float) a;
            float bf = (float) (-a * r * dg / length);
            float kf = (float) (-a * sumDy / length);
            for (int i = 0; i < length; i++) {
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

    // The sums below run over one channel's values v[0, length) as rows of WIDTH (the last one shorter): partial[i]
    // is the float sum, in row order, of the values at i, i + WIDTH, i + 2·WIDTH, ..., and the WIDTH partials are then
    // added in double, in order. Each partial is a running sum of its own, so adding a row is element-wise: one vector
    // operation per lane group in vector form (ChannelVectorKernels; C2 does not vectorise the scalar loop, whose row
    // offset it cannot prove apart from the partials), where a sum in one variable makes every addition wait for the
    // previous one. Each element's arithmetic is the same in both forms, so is the result, bit for bit.

    /** @return {@code Σ v[k]}, {@code k < length} */
    static double sum(float[] v, int length, float[] partial) {
        int width = Math.min(WIDTH, length);
        System.arraycopy(v, 0, partial, 0, width);
        int rowsEnd = fullRowsEnd(length);
        if (VECTOR) {
            ChannelVectorKernels.addRows(v, width, rowsEnd, partial);
        } else {
            for (int row = width; row < rowsEnd; row += WIDTH) {
                for (int i = 0; i < WIDTH; i++) {
                    partial[i] += v[row + i];
                }
            }
        }
        for (int i = 0, row = Math.max(width, rowsEnd), rest = length - row; i < rest; i++) {
            partial[i] += v[row + i];
        }
        return inOrder(partial, width);
    }

    /** @return {@code Σ (v[k] − m)²}, {@code k < length} */
    static double squaredDeviations(float[] v, float m, int length, float[] partial) {
        int width = Math.min(WIDTH, length);
        for (int i = 0; i < width; i++) {
            float d = v[i] - m;
            partial[i] = d * d;
        }
        int rowsEnd = fullRowsEnd(length);
        if (VECTOR) {
            ChannelVectorKernels.addSquaredDeviationRows(v, m, width, rowsEnd, partial);
        } else {
            for (int row = width; row < rowsEnd; row += WIDTH) {
                for (int i = 0; i < WIDTH; i++) {
                    float d = v[row + i] - m;
                    partial[i] += d * d;
                }
            }
        }
        for (int i = 0, row = Math.max(width, rowsEnd), rest = length - row; i < rest; i++) {
            float d = v[row + i] - m;
            partial[i] += d * d;
        }
        return inOrder(partial, width);
    }

    /**
     * Writes {@code Σ dy[k]} into {@code sums[0]} and {@code Σ dy[k]·(x[k] − m)} into {@code sums[1]}, {@code k <
     * length}, in one pass.
     */
    static void gradientSums(float[] dy, float[] x, float m, int length, float[] partialDy, float[] partialDyXc,
                             double[] sums) {
        int width = Math.min(WIDTH, length);
        for (int i = 0; i < width; i++) {
            partialDy[i] = dy[i];
            partialDyXc[i] = dy[i] * (x[i] - m);
        }
        int rowsEnd = fullRowsEnd(length);
        if (VECTOR) {
            ChannelVectorKernels.addGradientRows(dy, x, m, width, rowsEnd, partialDy, partialDyXc);
        } else {
            for (int row = width; row < rowsEnd; row += WIDTH) {
                for (int i = 0; i < WIDTH; i++) {
                    float d = dy[row + i];
                    partialDy[i] += d;
                    partialDyXc[i] += d * (x[row + i] - m);
                }
            }
        }
        for (int i = 0, row = Math.max(width, rowsEnd), rest = length - row; i < rest; i++) {
            float d = dy[row + i];
            partialDy[i] += d;
            partialDyXc[i] += d * (x[row + i] - m);
        }
        sums[0] = inOrder(partialDy, width);
        sums[1] = inOrder(partialDyXc, width);
    }

    /**
     * {@code dy[k] = step(y)·dy[k]}, {@code step(y) = y > 0 ? 1 : 0}, for the output {@code y = (x[k] − m)·s + β}
     * computed as the forward pass did, {@code k < length}: the gradient through the ReLU this helper applied.
     */
    private static void maskGradient(float[] dy, float[] x, float m, float s, float beta, int length) {
        int k = VECTOR ? ChannelVectorKernels.maskGradient(dy, x, m, s, beta, length) : 0;
        for (; k < length; k++) {
            float y = (x[k] - m) * s + beta;
            dy[k] = (y > 0f ? 1f : 0f) * dy[k];
        }
    }

    /** @return the end of the last whole row of {@link #WIDTH} values among {@code length} */
    private static int fullRowsEnd(int length) {
        return length / WIDTH * WIDTH;
    }

    private static double inOrder(float[] partial, int width) {
        double total = 0;
        for (int i = 0; i < width; i++) {
            total += partial[i];
        }
        return total;
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
