package org.dtkd4j.core.data;

import java.util.List;
import java.util.NoSuchElementException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A DL4J {@link DataSetIterator} over an {@link ImageDataset}: minibatches of normalised {@code [N, C, H, W]}
 * features and one-hot {@code [N, numClasses]} labels, of {@link DataType#FLOAT} or {@link DataType#DOUBLE}.
 *
 * <h2>Determinism and exact resume</h2>
 * Everything random about epoch {@code e} (the example order if shuffling, each position's crop shift and flip if
 * augmenting, see {@link Augmentation}) is drawn at the start of the epoch from a generator seeded by
 * {@code (seed, e)} alone. So batch {@code b} of epoch {@code e} is a pure function of the dataset, the
 * configuration, {@code seed}, {@code e} and {@code b}: a fresh iterator moved to epoch {@code k} with
 * {@link #setEpoch(int)}, in any process, returns exactly the batches a long run saw in its epoch {@code k}.
 *
 * <h2>Epochs</h2>
 * Epochs count from 0, as in DL4J ({@code epoch()} is DL4J's epoch count when driven by {@code fit}; the reference
 * trainer counts from 1). Each epoch returns {@link #batchesPerEpoch()} = {@code ceil(size / batchSize)} batches:
 * the last, partial batch is kept, so every example is seen once per epoch.
 * <ul>
 *   <li>{@link #setEpoch(int)} moves to the start of the given epoch.</li>
 *   <li>{@link #reset()} moves to the start of epoch {@code epoch() + 1} if the current epoch has returned at
 *   least one batch, and does nothing otherwise. Hence a reset before the first batch, or two resets in a row,
 *   never skip an epoch; and DL4J's {@code fit(iterator, n)} (which calls {@code reset()} only when
 *   {@code hasNext()} is false, i.e. after a finished epoch) trains on epochs {@code epoch() .. epoch() + n - 1},
 *   epoch {@code e} seeing permutation {@code e}.</li>
 *   <li>{@link #hasNext()} is false at the end of an epoch; {@link #next()} never advances on its own.</li>
 * </ul>
 *
 * <h2>Prefetch</h2>
 * With {@code prefetch = d > 0} (the default is 2), a daemon worker thread assembles the epoch's batches (crop,
 * flip, normalisation into Java arrays) up to {@code d} batches ahead, so the training thread only wraps them into
 * {@code INDArray}s (outside any workspace) and applies the optional {@link DataSetPreProcessor}. The batches are
 * identical to those of the synchronous path ({@code prefetch = 0}), which assembles on the calling thread. An
 * epoch's worker starts at its first {@link #next()} and ends after its last batch; {@link #reset()},
 * {@link #setEpoch(int)} and {@link #close()} stop it early and wait for it. Close the iterator (or use
 * try-with-resources) when abandoning an epoch midway. A closed iterator stays usable: the next {@link #next()}
 * starts a new worker where the epoch stands. An exception on the worker reaches the caller of {@link #next()} as
 * an {@link IllegalStateException} with that exception as cause.
 * {@link #asyncSupported()} is false, so DL4J does not wrap this iterator in its own prefetching iterator.
 *
 * <p>Not thread-safe: one training thread drives an iterator.
 *
 * <pre>{@code
 * TrainTestSplit cifar = Datasets.cifar100(Path.of("/data/cifar-100-binary"));
 * try (ImageDataSetIterator train = ImageDataSetIterator.training(cifar.train(), 64, 42L);
 *      ImageDataSetIterator test = ImageDataSetIterator.evaluation(cifar.test(), 64)) {
 *     network.fit(train, 240);                 // epochs 0..239, each with its own permutation
 *     Evaluation evaluation = network.evaluate(test);
 * }
 * }</pre>
 */
public final class ImageDataSetIterator implements DataSetIterator, AutoCloseable {

    private final ImageDataset dataset;
    private final int batchSize;
    private final boolean shuffle;
    private final Augmentation augmentation;
    private final long seed;
    private final DataType dataType;
    private final int prefetch;
    private final BatchAssembler assembler;
    private DataSetPreProcessor preProcessor;
    private int epoch;
    /** Batches returned in the current epoch. */
    private int cursor;
    /** The current epoch's plan; null until its first batch is requested. */
    private EpochPlan plan;
    /** The current epoch's worker, or null. */
    private Prefetcher<BatchAssembler.Batch> prefetcher;

    private ImageDataSetIterator(Builder builder) {
        this.dataset = builder.dataset;
        this.batchSize = builder.batchSize;
        this.shuffle = builder.shuffle;
        this.augmentation = builder.augmentation;
        this.seed = builder.seed;
        this.dataType = builder.dataType;
        this.prefetch = builder.prefetch;
        this.assembler = new BatchAssembler(dataset, builder.normalization, batchSize, dataType);
    }

    /**
     * Starts configuring an iterator over {@code dataset}.
     *
     * @param dataset the examples
     * @return a builder with the defaults listed on {@link Builder}
     */
    public static Builder builder(ImageDataset dataset) {
        return new Builder(dataset);
    }

    /**
     * A training iterator as the reference trains: shuffled, augmented with {@link Augmentation#REFERENCE}, float
     * features normalised with the dataset's constants, prefetching 2 batches.
     *
     * @param dataset   the training split
     * @param batchSize examples per batch
     * @param seed      the seed fixing every epoch's order and augmentation
     * @return the iterator, at epoch 0
     */
    public static ImageDataSetIterator training(ImageDataset dataset, int batchSize, long seed) {
        return builder(dataset).batchSize(batchSize).shuffle(true).augmentation(Augmentation.REFERENCE).seed(seed)
                .build();
    }

    /**
     * An evaluation iterator: dataset order, no augmentation, float features normalised with the dataset's
     * constants, prefetching 2 batches.
     *
     * @param dataset   the test split
     * @param batchSize examples per batch
     * @return the iterator
     */
    public static ImageDataSetIterator evaluation(ImageDataset dataset, int batchSize) {
        return builder(dataset).batchSize(batchSize).build();
    }

    /** @return the current epoch, from 0 */
    public int epoch() {
        return epoch;
    }

    /**
     * Moves to the start of {@code epoch}, dropping any prefetched batch.
     *
     * @param epoch the epoch, from 0
     * @throws IllegalArgumentException if {@code epoch} is negative
     */
    public void setEpoch(int epoch) {
        if (epoch < 0) {
            throw new IllegalArgumentException("epoch must be >= 0, found " + epoch);
        }
        stopPrefetch();
        this.epoch = epoch;
        this.cursor = 0;
        this.plan = null;
    }

    /**
     * Moves to batch {@code batch} of the current epoch, dropping any prefetched batch: the next {@link #next()}
     * returns the batch a pass over the epoch returns at that position. Lets several processes each assemble their
     * own share of one epoch (e.g. the workers of a cluster).
     *
     * @param batch the position in the epoch, in {@code [0, batchesPerEpoch()]}
     * @throws IllegalArgumentException if {@code batch} is outside that range
     */
    public void seekBatch(int batch) {
        if (batch < 0 || batch > batchesPerEpoch()) {
            throw new IllegalArgumentException("batch must be in [0, " + batchesPerEpoch() + "], found " + batch);
        }
        stopPrefetch();
        this.cursor = batch;
    }

    /** @return batches per epoch, {@code ceil(dataset.size() / batch())} */
    public int batchesPerEpoch() {
        return assembler.batchesPerEpoch();
    }

    /** @return the dataset iterated over */
    public ImageDataset dataset() {
        return dataset;
    }

    /**
     * The dataset indices of the examples in the batch last returned by {@link #next()}, in row order: row {@code k}
     * of that batch is example {@code lastBatchExamples()[k]} of {@link #dataset()} (augmented as the epoch's plan
     * says). Lets a caller key per-example data, such as cached teacher logits, across shuffled epochs.
     *
     * @return a new array of the batch's example indices
     * @throws IllegalStateException if the current epoch has not returned a batch yet
     */
    public int[] lastBatchExamples() {
        if (cursor == 0) {
            throw new IllegalStateException("epoch " + epoch + " of " + dataset.name() + " has returned no batch yet, "
                    + "found cursor 0");
        }
        int from = (cursor - 1) * batchSize;
        return java.util.Arrays.copyOfRange(plan.order(), from, Math.min(from + batchSize, dataset.size()));
    }

    @Override
    public boolean hasNext() {
        return cursor < batchesPerEpoch();
    }

    /**
     * Returns the next batch of the current epoch.
     *
     * @return features {@code [N, C, H, W]} and one-hot labels {@code [N, numClasses]}, {@code N = batch()} except
     *         in the last batch of an epoch
     * @throws NoSuchElementException if the epoch is finished ({@link #hasNext()} is false)
     * @throws IllegalStateException  if assembling the batch failed on the prefetch worker
     */
    @Override
    public DataSet next() {
        if (!hasNext()) {
            throw new NoSuchElementException("epoch " + epoch + " of " + dataset.name() + " has returned all its "
                    + batchesPerEpoch() + " batches; call reset() or setEpoch(int)");
        }
        if (plan == null) {
            plan = EpochPlan.of(dataset.size(), seed, epoch, shuffle, augmentation);
        }
        BatchAssembler.Batch batch;
        if (prefetch == 0) {
            batch = assembler.assemble(plan, cursor);
        } else {
            if (prefetcher == null) {
                EpochPlan epochPlan = plan;
                prefetcher = new Prefetcher<>("dtkd-prefetch-" + dataset.name() + "-epoch-" + epoch, cursor,
                        batchesPerEpoch(), prefetch, b -> assembler.assemble(epochPlan, b));
            }
            batch = prefetcher.next();
        }
        cursor++;
        if (!hasNext()) {
            stopPrefetch();
        }
        DataSet dataSet = toDataSet(batch);
        if (preProcessor != null) {
            preProcessor.preProcess(dataSet);
        }
        return dataSet;
    }

    private DataSet toDataSet(BatchAssembler.Batch batch) {
        long[] shape = {batch.size(), dataset.channels(), dataset.height(), dataset.width()};
        MemoryWorkspace outsideWorkspaces = Nd4j.getMemoryManager().scopeOutOfWorkspaces();
        try {
            INDArray features = batch.floats() != null
                    ? Nd4j.create(batch.floats(), shape, DataType.FLOAT)
                    : Nd4j.create(batch.doubles(), shape, DataType.DOUBLE);
            float[] oneHot = new float[batch.size() * dataset.numClasses()];
            for (int i = 0; i < batch.size(); i++) {
                oneHot[i * dataset.numClasses() + batch.labels()[i]] = 1f;
            }
            INDArray labels = Nd4j.create(oneHot, new long[]{batch.size(), dataset.numClasses()}, dataType);
            return new DataSet(features, labels);
        } finally {
            outsideWorkspaces.close();
        }
    }

    /**
     * Not supported: batches have a fixed size so that their content depends on {@code (seed, epoch, index)} only.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public DataSet next(int num) {
        throw new UnsupportedOperationException("batches have the fixed size batch() = " + batchSize
                + "; next(" + num + ") is not supported");
    }

    /** @return {@code channels * height * width} */
    @Override
    public int inputColumns() {
        return dataset.channels() * dataset.height() * dataset.width();
    }

    /** @return the number of classes */
    @Override
    public int totalOutcomes() {
        return dataset.numClasses();
    }

    /** @return true */
    @Override
    public boolean resetSupported() {
        return true;
    }

    /** @return false: this iterator prefetches on its own worker (see the class comment) */
    @Override
    public boolean asyncSupported() {
        return false;
    }

    /**
     * Moves to the start of epoch {@code epoch() + 1} if the current epoch has returned a batch, else does nothing
     * (see the class comment).
     */
    @Override
    public void reset() {
        if (cursor > 0) {
            setEpoch(epoch + 1);
        }
    }

    /** @return examples per batch */
    @Override
    public int batch() {
        return batchSize;
    }

    /** @param preProcessor applied to each batch on the calling thread after it is built, or null for none */
    @Override
    public void setPreProcessor(DataSetPreProcessor preProcessor) {
        this.preProcessor = preProcessor;
    }

    @Override
    public DataSetPreProcessor getPreProcessor() {
        return preProcessor;
    }

    /** @return the dataset's class names, or null if it has none */
    @Override
    public List<String> getLabels() {
        return dataset.classNames().isEmpty() ? null : dataset.classNames();
    }

    /** Stops the prefetch worker, if any, and waits for it to end. The iterator stays usable. */
    @Override
    public void close() {
        stopPrefetch();
    }

    private void stopPrefetch() {
        if (prefetcher != null) {
            prefetcher.close();
            prefetcher = null;
        }
    }

    /**
     * Configuration of an {@link ImageDataSetIterator}. Defaults: batch size 64 (the reference's), no shuffle,
     * {@link Augmentation#NONE}, seed 0, {@link DataType#FLOAT}, prefetch 2, the dataset's normalisation.
     */
    public static final class Builder {

        private final ImageDataset dataset;
        private int batchSize = 64;
        private boolean shuffle;
        private Augmentation augmentation = Augmentation.NONE;
        private long seed;
        private DataType dataType = DataType.FLOAT;
        private int prefetch = 2;
        private Normalization normalization;

        private Builder(ImageDataset dataset) {
            this.dataset = dataset;
            this.normalization = dataset.normalization();
        }

        /**
         * @param batchSize examples per batch, at least 1
         * @return this builder
         */
        public Builder batchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        /**
         * @param shuffle whether each epoch visits the examples in its own random order
         * @return this builder
         */
        public Builder shuffle(boolean shuffle) {
            this.shuffle = shuffle;
            return this;
        }

        /**
         * @param augmentation the augmentation applied to every example
         * @return this builder
         */
        public Builder augmentation(Augmentation augmentation) {
            this.augmentation = augmentation;
            return this;
        }

        /**
         * @param seed the seed that, with the epoch, fixes order and augmentation
         * @return this builder
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * @param dataType {@link DataType#FLOAT} or {@link DataType#DOUBLE}, for features and labels
         * @return this builder
         */
        public Builder dataType(DataType dataType) {
            this.dataType = dataType;
            return this;
        }

        /**
         * @param prefetch batches prepared ahead on a worker thread, or 0 to assemble on the calling thread
         * @return this builder
         */
        public Builder prefetch(int prefetch) {
            this.prefetch = prefetch;
            return this;
        }

        /**
         * @param normalization the normalisation, with the dataset's number of channels (default: the dataset's)
         * @return this builder
         */
        public Builder normalization(Normalization normalization) {
            this.normalization = normalization;
            return this;
        }

        /**
         * Validates the configuration and creates the iterator, at epoch 0.
         *
         * @return the iterator
         * @throws IllegalArgumentException if the batch size is below 1, the prefetch depth negative, the data type
         *                                  neither FLOAT nor DOUBLE, an argument null, or the normalisation's
         *                                  channels differ from the dataset's
         */
        public ImageDataSetIterator build() {
            if (batchSize < 1) {
                throw new IllegalArgumentException("batchSize must be >= 1, found " + batchSize);
            }
            if (prefetch < 0) {
                throw new IllegalArgumentException("prefetch must be >= 0, found " + prefetch);
            }
            if (dataType != DataType.FLOAT && dataType != DataType.DOUBLE) {
                throw new IllegalArgumentException("dataType must be FLOAT or DOUBLE, found " + dataType);
            }
            if (augmentation == null || normalization == null) {
                throw new IllegalArgumentException("augmentation and normalization must not be null, found "
                        + augmentation + " and " + normalization);
            }
            if (normalization.channels() != dataset.channels()) {
                throw new IllegalArgumentException("normalization has " + normalization.channels() + " channels but "
                        + dataset + " has " + dataset.channels());
            }
            return new ImageDataSetIterator(this);
        }
    }
}
