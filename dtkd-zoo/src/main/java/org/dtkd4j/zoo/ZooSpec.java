package org.dtkd4j.zoo;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.dtkd4j.core.config.CeConfig;
import org.dtkd4j.core.dl4j.DistillationLossFunction;
import org.dtkd4j.core.optim.SgdMomentum;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.ILossFunction;

import java.util.Objects;

/**
 * What to build a {@link CifarZoo} model for: classes, input shape, seed, precision, activation layout, updater and
 * loss.
 *
 * <p>The defaults are CIFAR-100 ({@code 100} classes, {@code 3×32×32}), seed {@code 42}, the reference's
 * initialisation ({@link Initialization#REFERENCE}), {@link DataType#FLOAT},
 * the reference recipe's optimiser (PyTorch SGD with momentum {@code 0.9} at learning rate {@code 0.05},
 * {@link SgdMomentum}) and softmax cross-entropy on the logits with one-hot labels (PyTorch's
 * {@code F.cross_entropy}): core's {@code DistillationLossFunction.of(CeConfig.defaults())}, the same cross-entropy
 * the distillation losses add, which keeps the network's output the logits (DL4J's {@code LossMCXENT} would need a
 * softmax activation on the output). Fashion-MNIST is
 * {@code builder().numClasses(10).input(1, 28, 28)}.
 *
 * <p>{@code dataFormat} is the layout of the activations <em>inside</em> the graph: NCHW {@code [N, C, H, W]} or
 * NHWC {@code [N, H, W, C]} for every convolution, BatchNorm, pooling, concatenation and channel vertex. It changes
 * neither the function, nor the parameters and their shapes, nor the input: the graph's input is NCHW in both
 * layouts (an NHWC graph permutes it once, in a {@link org.dtkd4j.zoo.vertex.ChannelsLastVertex} after the input),
 * so data iterators, teachers and {@link org.dtkd4j.zoo.onnx.PyTorchWeights} work unchanged. It only changes speed.
 *
 * <p>Weight decay and the learning-rate schedule belong to the
 * training run, not the graph: add {@code new TorchWeightDecay(5e-4)} as a listener and pass a
 * {@code LearningRates.multiStep} schedule to {@link SgdMomentum} for the reference recipe.
 *
 * @param numClasses number of classes, the width of the logits; at least 2
 * @param channels   input channels (3 for CIFAR, 1 for Fashion-MNIST); at least 1
 * @param height     input height; at least {@value #MIN_SIZE}
 * @param width      input width; at least {@value #MIN_SIZE}
 * @param seed       seed of the random weight initialisation: the same seed gives the same initial weights in every
 *                   run, 0 included (DL4J receives {@code NativeSeed.of(seed)}: libnd4j would seed 0 from the clock)
 * @param initialization how random parameters are drawn: the reference's scheme per family (default) or DL4J's
 * @param dataType   floating-point type of parameters and activations
 * @param dataFormat layout of the activations inside the graph (the input is NCHW either way)
 * @param updater    updater of every trainable parameter
 * @param loss       loss the {@link CifarZoo#OUTPUT} layer applies to the logits during {@code fit}
 */
public record ZooSpec(int numClasses, int channels, int height, int width, long seed, Initialization initialization,
                      DataType dataType, CNN2DFormat dataFormat, IUpdater updater, ILossFunction loss) {

    /** Smallest input height and width: VGG halves its input three times with 2×2 max pooling. */
    public static final int MIN_SIZE = 8;

    /** Validates every component. */
    public ZooSpec {
        if (numClasses < 2) {
            throw new IllegalArgumentException("numClasses must be at least 2, found " + numClasses);
        }
        if (channels < 1) {
            throw new IllegalArgumentException("channels must be at least 1, found " + channels);
        }
        if (height < MIN_SIZE || width < MIN_SIZE) {
            throw new IllegalArgumentException("input height and width must be at least " + MIN_SIZE + ", found "
                    + height + "x" + width);
        }
        Objects.requireNonNull(initialization, "initialization");
        Objects.requireNonNull(dataType, "dataType");
        if (!dataType.isFPType()) {
            throw new IllegalArgumentException("dataType must be a floating-point type, found " + dataType);
        }
        Objects.requireNonNull(dataFormat, "dataFormat");
        Objects.requireNonNull(updater, "updater");
        Objects.requireNonNull(loss, "loss");
    }

    /** @return the CIFAR-100 defaults */
    public static ZooSpec defaults() {
        return builder().build();
    }

    /** @return a builder holding the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder holding this spec's values */
    public Builder toBuilder() {
        return new Builder().numClasses(numClasses).input(channels, height, width).seed(seed)
                .initialization(initialization).dataType(dataType).dataFormat(dataFormat).updater(updater).loss(loss);
    }

    /** Builder of {@link ZooSpec}; {@link #build()} validates. */
    public static final class Builder {
        private int numClasses = 100;
        private int channels = 3;
        private int height = 32;
        private int width = 32;
        private long seed = 42;
        private Initialization initialization = Initialization.REFERENCE;
        private DataType dataType = DataType.FLOAT;
        private CNN2DFormat dataFormat = CNN2DFormat.NCHW;
        private IUpdater updater = new SgdMomentum(0.05, 0.9);
        private ILossFunction loss = DistillationLossFunction.of(CeConfig.defaults());

        private Builder() {
        }

        /** @param numClasses number of classes (default 100) @return this */
        public Builder numClasses(int numClasses) {
            this.numClasses = numClasses;
            return this;
        }

        /**
         * @param channels input channels (default 3)
         * @param height   input height (default 32)
         * @param width    input width (default 32)
         * @return this
         */
        public Builder input(int channels, int height, int width) {
            this.channels = channels;
            this.height = height;
            this.width = width;
            return this;
        }

        /** @param seed weight initialisation seed (default 42) @return this */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * @param initialization the random initialisation: {@link Initialization#REFERENCE} (default, the
         *                       reference's per family) or {@link Initialization#DL4J}
         * @return this
         */
        public Builder initialization(Initialization initialization) {
            this.initialization = initialization;
            return this;
        }

        /** @param dataType parameter and activation type (default FLOAT) @return this */
        public Builder dataType(DataType dataType) {
            this.dataType = dataType;
            return this;
        }

        /**
         * @param dataFormat layout of the activations inside the graph (default NCHW); the input stays NCHW
         * @return this
         */
        public Builder dataFormat(CNN2DFormat dataFormat) {
            this.dataFormat = dataFormat;
            return this;
        }

        /** @param updater updater (default {@code SgdMomentum(0.05, 0.9)}) @return this */
        public Builder updater(IUpdater updater) {
            this.updater = updater;
            return this;
        }

        /**
         * @param loss loss on the logits (default: cross-entropy, {@code DistillationLossFunction.of(CeConfig
         *             .defaults())}; the output layer's activation is the identity)
         * @return this
         */
        public Builder loss(ILossFunction loss) {
            this.loss = loss;
            return this;
        }

        /** @return the validated spec */
        public ZooSpec build() {
            return new ZooSpec(numClasses, channels, height, width, seed, initialization, dataType, dataFormat, updater,
                    loss);
        }
    }
}
