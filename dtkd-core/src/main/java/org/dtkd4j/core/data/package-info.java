/**
 * Image classification data for distillation runs, offline: loaders, in-memory datasets, normalisation,
 * augmentation and a deterministic, prefetching DL4J iterator.
 *
 * <ul>
 *   <li>{@link org.dtkd4j.core.data.Datasets} loads CIFAR-10 and CIFAR-100 (binary version) and Fashion-MNIST
 *   (gzipped IDX, by default from Debian's {@code dataset-fashion-mnist} package) from a local directory into
 *   {@link org.dtkd4j.core.data.TrainTestSplit}s. Bad data fails early with an
 *   {@link java.lang.IllegalArgumentException} naming the file, the record and what was found.
 *   {@code fashionMnist32} reads Fashion-MNIST as 3x32x32 (zero-padded by 2, replicated to 3 channels) for the
 *   CIFAR models.</li>
 *   <li>{@link org.dtkd4j.core.data.ImageDataset} holds a split in memory as 8-bit pixels and {@code int} labels,
 *   with its name, class names, shape and default {@link org.dtkd4j.core.data.Normalization}; its
 *   {@code first}, {@code firstPerClass} and {@code sample} helpers make deterministic subsets for small runs, and
 *   {@code padAndReplicate} pads and replicates images to another shape.</li>
 *   <li>{@link org.dtkd4j.core.data.Normalization} is the reference's {@code Normalize(mean, std)} after
 *   {@code ToTensor()}: {@code x = (p / 255 - mean[c]) / std[c]}, with the reference's CIFAR-100 constants.</li>
 *   <li>{@link org.dtkd4j.core.data.Augmentation} is the reference's training augmentation: random crop from the
 *   image zero-padded by 4 pixels, then a random horizontal flip.</li>
 *   <li>{@link org.dtkd4j.core.data.ImageDataSetIterator} serves normalised {@code [N, C, H, W]} minibatches with
 *   one-hot labels. Order and augmentation of epoch {@code e} depend on {@code (seed, e)} only, so a run resumed at
 *   epoch {@code e} sees exactly the batches an uninterrupted run would; batches are assembled on a worker thread,
 *   a few ahead of training.</li>
 * </ul>
 *
 * <pre>{@code
 * TrainTestSplit fashion = Datasets.fashionMnist();                  // /usr/share/datasets/fashion-mnist
 * ImageDataset tiny = fashion.train().firstPerClass(50);             // 500 images for a smoke run
 * try (ImageDataSetIterator train = ImageDataSetIterator.training(tiny, 64, 42L)) {
 *     train.setEpoch(startEpoch);                                    // resume: same batches as a long run
 *     network.fit(train, epochs);
 * }
 * }</pre>
 *
 * <p>Randomness comes from a SplitMix64 generator implemented in this package, so a seed gives the same data order
 * on every JDK.
 */
package org.dtkd4j.core.data;
