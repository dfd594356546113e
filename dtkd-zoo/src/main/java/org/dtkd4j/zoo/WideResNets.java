package org.dtkd4j.zoo;

import org.dtkd4j.zoo.NetBuilder.Node;

/**
 * Wide residual networks (Zagoruyko and Komodakis, "Wide Residual Networks", BMVC 2016), {@code wrn.py} of the
 * reference: wrn_16_1, wrn_16_2, wrn_40_1, wrn_40_2 (depth {@code 6n + 4}, widen factor {@code k}).
 *
 * <p>A 3×3 stem with 16 channels, three stages ({@code block1.layer}, {@code block2.layer}, {@code block3.layer})
 * of {@code n} pre-activation blocks with {@code 16k}, {@code 32k}, {@code 64k} channels and strides 1, 2, 2, a
 * final {@code relu(bn1(·))}, global average pooling and the classifier {@code fc}. A block computes
 * {@code a = relu(bn1(x))}, {@code h = conv2(relu(bn2(conv1(a))))} with 3×3 convolutions (the first strided) and
 * returns {@code x + h} when its input and output widths agree, else {@code convShortcut(a) + h} with a strided
 * 1×1 {@code convShortcut}. No dropout (the reference's rate is 0); convolutions have no bias.
 *
 * <p>The reference's forward pass also computes pre-activation features by applying {@code block2.layer.0.bn1},
 * {@code block3.layer.0.bn1} and {@code bn1} a second time to their inputs; in training mode that moves their
 * running statistics twice per step. These three layers reproduce it with one update of decay {@code 0.81}
 * (PyTorch momentum {@code 0.19}); their outputs and gradients are unchanged.
 */
final class WideResNets {

    private WideResNets() {
    }

    /**
     * @param depth  {@code 6n + 4}
     * @param widen  widen factor {@code k}
     */
    static NetBuilder.Model build(ZooSpec spec, int depth, int widen) {
        if ((depth - 4) % 6 != 0 || widen < 1) {
            throw new IllegalArgumentException("WRN needs depth 6n+4 and widen >= 1, found " + depth + ", " + widen);
        }
        int n = (depth - 4) / 6;
        NetBuilder net = new NetBuilder(spec, NetBuilder.Family.WIDE_RESNET);
        Node x = net.conv("conv1", net.input(), 16, 3, 1, 1, 1, false);
        for (int stage = 1; stage <= 3; stage++) {
            int width = (16 << (stage - 1)) * widen;
            for (int i = 0; i < n; i++) {
                int stride = stage > 1 && i == 0 ? 2 : 1;
                x = block(net, "block" + stage + ".layer." + i, x, width, stride, stage > 1 && i == 0);
            }
        }
        x = net.relu("relu", net.bnAppliedTwice("bn1", x));
        return net.head(x, "fc");
    }

    /** The pre-activation wide block. */
    private static Node block(NetBuilder net, String p, Node x, int out, int stride, boolean bn1Twice) {
        Node a = net.relu(p + ".relu1", bn1Twice ? net.bnAppliedTwice(p + ".bn1", x) : net.bn(p + ".bn1", x));
        Node h = net.relu(p + ".relu2", net.bn(p + ".bn2", net.conv(p + ".conv1", a, out, 3, stride, 1, 1, false)));
        h = net.conv(p + ".conv2", h, out, 3, 1, 1, 1, false);
        Node shortcut = x.channels() == out ? x : net.conv(p + ".convShortcut", a, out, 1, stride, 0, 1, false);
        return net.add(p + ".add", shortcut, h);
    }
}
