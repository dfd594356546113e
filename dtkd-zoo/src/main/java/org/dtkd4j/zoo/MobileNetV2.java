package org.dtkd4j.zoo;

import org.dtkd4j.zoo.NetBuilder.Node;

/**
 * MobileNetV2 (Sandler, Howard, Zhu, Zhmoginov and Chen, "MobileNetV2: Inverted Residuals and Linear Bottlenecks",
 * CVPR 2018), {@code mobilenetv2.py} of the reference; the zoo's {@code MobileNetV2} is the reference's
 * {@code mobile_half}: expansion {@code T = 6}, width multiplier 0.5.
 *
 * <p>A 3×3 stride-2 stem ({@code conv1.0}, {@code conv1.1}, {@code conv1.2}) with {@code int(32·w)} channels, seven
 * stages {@code blocks.0} … {@code blocks.6} of inverted residual blocks with settings (expansion, channels, blocks,
 * stride) (1, 16, 1, 1), (T, 24, 2, 1), (T, 32, 3, 2), (T, 64, 4, 2), (T, 96, 3, 1), (T, 160, 3, 2), (T, 320, 1, 1)
 * (channels scaled by {@code w}), a 1×1 convolution to 1280 channels ({@code conv2.0}, {@code conv2.1},
 * {@code conv2.2}), global average pooling and the classifier {@code classifier.0}.
 *
 * <p>An inverted residual block ({@code conv.0} … {@code conv.7}) is a 1×1 expansion to {@code t·in} channels with
 * BatchNorm and ReLU, a 3×3 depthwise convolution (strided) with BatchNorm and ReLU, and a linear 1×1 projection with
 * BatchNorm; its input is added when the stride is 1 and the widths agree. The reference keeps the expansion
 * convolution even for {@code t = 1}.
 */
final class MobileNetV2 {

    /** (expansion or 0 for T, channels, blocks, stride) of each stage. */
    private static final int[][] STAGES = {
            {1, 16, 1, 1}, {0, 24, 2, 1}, {0, 32, 3, 2}, {0, 64, 4, 2}, {0, 96, 3, 1}, {0, 160, 3, 2}, {0, 320, 1, 1}};
    private static final int LAST_CHANNELS = 1280;

    private MobileNetV2() {
    }

    /**
     * @param expansion the expansion {@code T} of stages 2 to 7
     * @param width     width multiplier {@code w}, at most 1
     */
    static NetBuilder.Model build(ZooSpec spec, int expansion, double width) {
        if (!(width > 0 && width <= 1)) {
            throw new IllegalArgumentException("MobileNetV2 width multiplier must be in (0, 1], found " + width);
        }
        NetBuilder net = new NetBuilder(spec, NetBuilder.Family.VGG_MOBILENET);
        Node x = convBnRelu(net, "conv1", net.input(), (int) (32 * width), 3, 2, 1);
        for (int s = 0; s < STAGES.length; s++) {
            int t = STAGES[s][0] == 0 ? expansion : STAGES[s][0];
            int out = (int) (STAGES[s][1] * width);
            for (int i = 0; i < STAGES[s][2]; i++) {
                x = invertedResidual(net, "blocks." + s + "." + i, x, out, i == 0 ? STAGES[s][3] : 1, t);
            }
        }
        x = convBnRelu(net, "conv2", x, LAST_CHANNELS, 1, 1, 0);
        return net.head(x, "classifier.0");
    }

    /** {@code nn.Sequential(conv, bn, relu)} named {@code p.0}, {@code p.1}, {@code p.2}. */
    private static Node convBnRelu(NetBuilder net, String p, Node x, int out, int kernel, int stride, int padding) {
        return net.relu(p + ".2", net.bn(p + ".1", net.conv(p + ".0", x, out, kernel, stride, padding, 1, false)));
    }

    /** The inverted residual block. */
    private static Node invertedResidual(NetBuilder net, String p, Node x, int out, int stride, int t) {
        String c = p + ".conv.";
        int hidden = x.channels() * t;
        Node h = net.relu(c + 2, net.bn(c + 1, net.conv(c + 0, x, hidden, 1, 1, 0, 1, false)));
        h = net.relu(c + 5, net.bn(c + 4, net.conv(c + 3, h, hidden, 3, stride, 1, hidden, false)));
        h = net.bn(c + 7, net.conv(c + 6, h, out, 1, 1, 0, 1, false));
        return stride == 1 && x.channels() == out ? net.add(p + ".add", x, h) : h;
    }
}
