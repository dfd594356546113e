package org.dtkd4j.zoo;

import org.dtkd4j.zoo.NetBuilder.Node;

/**
 * ShuffleNet (Zhang, Zhou, Lin and Sun, "ShuffleNet: An Extremely Efficient Convolutional Neural Network for Mobile
 * Devices", CVPR 2018), {@code ShuffleNetv1.py} of the reference; the zoo's {@code ShuffleV1} has 3 groups and
 * stage widths 240, 480, 960 with 4, 8, 4 units.
 *
 * <p>A 1×1 stem to 24 channels ({@code conv1}, {@code bn1}, ReLU; no downsampling), three stages of units and
 * global average pooling before the classifier {@code linear}. A unit computes a grouped 1×1 convolution to a
 * quarter of its output width with BatchNorm and ReLU (1 group when its input is the 24-channel stem, else 3), a
 * channel shuffle, a 3×3 depthwise convolution with BatchNorm, and a grouped (3 groups) 1×1 convolution with
 * BatchNorm. The first unit of a stage has stride 2 and concatenates the result with a 3×3 stride-2 average pool of
 * its input (padding 1, the padded zeros counted in the average as PyTorch's {@code count_include_pad} does), so its
 * convolutions produce the stage width minus the input width; the other units add their input. A ReLU follows.
 * Grouped convolutions are one DL4J convolution per group (see {@link CifarZoo#GROUP_SUFFIX}).
 */
final class ShuffleNetV1 {

    private static final int STEM = 24;

    private ShuffleNetV1() {
    }

    /**
     * @param widths stage output widths
     * @param units  units per stage
     * @param groups groups of the grouped convolutions
     */
    static NetBuilder.Model build(ZooSpec spec, int[] widths, int[] units, int groups) {
        NetBuilder net = new NetBuilder(spec, NetBuilder.Family.TORCH_DEFAULTS);
        Node x = net.conv("conv1", net.input(), STEM, 1, 1, 0, 1, false);
        x = net.relu("relu", net.bn("bn1", x));
        for (int s = 0; s < widths.length; s++) {
            for (int i = 0; i < units[s]; i++) {
                x = unit(net, "layer" + (s + 1) + "." + i, x, widths[s], i == 0 ? 2 : 1, groups);
            }
        }
        return net.head(x, "linear");
    }

    /** One ShuffleNet unit (the reference's {@code Bottleneck}) producing {@code width} channels. */
    private static Node unit(NetBuilder net, String p, Node x, int width, int stride, int groups) {
        int out = stride == 2 ? width - x.channels() : width;
        int mid = out / 4;
        int g1 = x.channels() == STEM ? 1 : groups;
        Node h = net.relu(p + ".relu1", net.bn(p + ".bn1", net.conv(p + ".conv1", x, mid, 1, 1, 0, g1, false)));
        h = net.shuffle(p + ".shuffle1", h, g1);
        h = net.relu(p + ".relu2", net.bn(p + ".bn2", net.conv(p + ".conv2", h, mid, 3, stride, 1, mid, false)));
        h = net.bn(p + ".bn3", net.conv(p + ".conv3", h, out, 1, 1, 0, groups, false));
        Node merged = stride == 2
                ? net.concat(p + ".cat", h, net.avgPool(p + ".shortcut.0", x, 3, 2, 1))
                : net.add(p + ".add", h, x);
        return net.relu(p + ".relu", merged);
    }
}
