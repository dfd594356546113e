package org.dtkd4j.core.data;

/**
 * The training and test splits of one dataset, as {@link Datasets} loads them.
 *
 * @param train the training split
 * @param test  the test split
 */
public record TrainTestSplit(ImageDataset train, ImageDataset test) {

    /**
     * Validates that both splits describe the same task.
     *
     * @throws IllegalArgumentException if the splits differ in number of classes or image shape
     */
    public TrainTestSplit {
        if (train.numClasses() != test.numClasses() || train.channels() != test.channels()
                || train.height() != test.height() || train.width() != test.width()) {
            throw new IllegalArgumentException("train and test splits must share classes and image shape, found "
                    + train + " and " + test);
        }
    }
}
