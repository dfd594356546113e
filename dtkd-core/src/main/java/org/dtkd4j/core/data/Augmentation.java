package org.dtkd4j.core.data;

/**
 * Training-time image augmentation: a random crop from the image padded with zeros, then a random horizontal flip,
 * as the reference's {@code transforms.RandomCrop(32, padding=4)} followed by {@code RandomHorizontalFlip()}.
 *
 * <p>For an image of height {@code H} and width {@code W} with padding {@code p}, the crop draws a shift
 * {@code (sy, sx)} uniformly from {@code [-p, p]^2} (the crop's corner in the {@code (H+2p) x (W+2p)} padded image
 * is {@code (sy + p, sx + p)}, as torchvision draws it) and, if flipping, a fair coin {@code f}. Output pixel
 * {@code (c, y, x)} is source pixel {@code (c, y + sy, x' + sx)} with {@code x' = W - 1 - x} if {@code f} and
 * {@code x' = x} otherwise, and 0 where that position falls outside the source. The padding is applied to the 8-bit
 * pixels, before normalisation, as in the reference: a padded pixel becomes {@code (0 - mean[c]) / std[c]}.
 *
 * @param padding        zero padding on each side, in pixels (0 means no crop)
 * @param horizontalFlip whether to flip each image left-right with probability 1/2
 */
public record Augmentation(int padding, boolean horizontalFlip) {

    /** No augmentation: evaluation, or training without it. */
    public static final Augmentation NONE = new Augmentation(0, false);

    /** The reference's CIFAR training augmentation: crop with 4 pixels of zero padding, then a random flip. */
    public static final Augmentation REFERENCE = new Augmentation(4, true);

    /**
     * Validates the augmentation.
     *
     * @throws IllegalArgumentException if {@code padding} is negative
     */
    public Augmentation {
        if (padding < 0) {
            throw new IllegalArgumentException("padding must be >= 0, found " + padding);
        }
    }
}
