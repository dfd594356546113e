package org.dtkd4j.zoo;

import org.dtkd4j.zoo.NetBuilder.Node;

/**
 * ShuffleNet V2 (Ma, Zhang, Zheng and Sun, "ShuffleNet V2: Practical Guidelines for Efficient CNN Architecture
 * Design", ECCV 2018), {@code ShuffleNetv2.py} of the reference; the zoo's {@code ShuffleV2} is its
 * {@code net_size=1}: stage widths 116, 232, 464 with 3, 7, 3 basic units, then 1024 channels.
 *
 * <p>A 1×1 stem to 24 channels ({@code conv1}, {@code bn1}, ReLU; no downsampling), three stages
 * ({@code layer1} … {@code layer3}) each of one down-sampling unit ({@code layerK.0}) and basic units, a 1×1
 * convolution ({@code conv2}, {@code bn2}, ReLU), global average pooling and the classifier {@code linear}.
 *
 * <p>The down-sampling unit has two branches over its whole input: a 3×3 stride-2 depthwise convolution with
 * BatchNorm then a 1×1 convolution with BatchNorm and ReLU; and a 1×1 convolution with BatchNorm and ReLU, a 3×3
 * stride-2 depthwise convolution with BatchNorm and a 1×1 convolution with BatchNorm and ReLU. Each branch gives
 * half the output width; they are concatenated and channel-shuffled with 2 groups. A basic unit splits its input
 * channels in halves, passes the first half through, and transforms the second with a 1×1 convolution with
 * BatchNorm and ReLU, a 3×3 depthwise convolution with BatchNorm and a 1×1 convolution with BatchNorm and ReLU;
 * the halves are concatenated (pass-through first) and channel-shuffled with 2 groups.
 */
final class ShuffleNetV2 {

    private static final int STEM = 24;

    private ShuffleNetV2() {
    }

    /**
     * @param widths stage widths and the final width, four values
     * @param units  basic units per stage, three values
     */
    static NetBuilder.Model build(ZooSpec spec, int[] widths, int[] units) {
        NetBuilder net = new NetBuilder(spec, NetBuilder.Family.TORCH_DEFAULTS);
        Node x = net.relu("relu", net.bn("bn1", net.conv("conv1", net.input(), STEM, 1, 1, 0, 1, false)));
        for (int s = 0; s < units.length; s++) {
            String layer = "layer" + (s + 1) + ".";
            x = downUnit(net, layer + 0, x, widths[s]);
            for (int i = 1; i <= units[s]; i++) {
                x = basicUnit(net, layer + i, x);
            }
        }
        x = net.relu("relu2", net.bn("bn2", net.conv("conv2", x, widths[3], 1, 1, 0, 1, false)));
        return net.head(x, "linear");
    }

    /** The reference's {@code DownBlock}. */
    private static Node downUnit(NetBuilder net, String p, Node x, int width) {
        int mid = width / 2;
        int in = x.channels();
        Node left = net.bn(p + ".bn1", net.conv(p + ".conv1", x, in, 3, 2, 1, in, false));
        left = net.relu(p + ".relu2", net.bn(p + ".bn2", net.conv(p + ".conv2", left, mid, 1, 1, 0, 1, false)));
        Node right = net.relu(p + ".relu3", net.bn(p + ".bn3", net.conv(p + ".conv3", x, mid, 1, 1, 0, 1, false)));
        right = net.bn(p + ".bn4", net.conv(p + ".conv4", right, mid, 3, 2, 1, mid, false));
        right = net.relu(p + ".relu5", net.bn(p + ".bn5", net.conv(p + ".conv5", right, mid, 1, 1, 0, 1, false)));
        return net.shuffle(p + ".shuffle", net.concat(p + ".cat", left, right), 2);
    }

    /** The reference's {@code BasicBlock} with split ratio 0.5. */
    private static Node basicUnit(NetBuilder net, String p, Node x) {
        int half = x.channels() / 2;
        Node kept = net.channels(p + ".split.0", x, 0, half);
        Node h = net.channels(p + ".split.1", x, half, x.channels() - half);
        h = net.relu(p + ".relu1", net.bn(p + ".bn1", net.conv(p + ".conv1", h, half, 1, 1, 0, 1, false)));
        h = net.bn(p + ".bn2", net.conv(p + ".conv2", h, half, 3, 1, 1, half, false));
        h = net.relu(p + ".relu3", net.bn(p + ".bn3", net.conv(p + ".conv3", h, half, 1, 1, 0, 1, false)));
        return net.shuffle(p + ".shuffle", net.concat(p + ".cat", kept, h), 2);
    }
}
