package org.dtkd4j.zoo;

import org.dtkd4j.zoo.NetBuilder.Node;

/**
 * Residual networks (He, Zhang, Ren and Sun, "Deep Residual Learning for Image Recognition", CVPR 2016) in the two
 * CIFAR variants of the reference.
 *
 * <p><b>CIFAR ResNets</b> ({@code resnet.py}: resnet8 … resnet110, resnet8x4, resnet32x4): a 3×3 stem with
 * {@code filters[0]} channels, three stages of {@code n = (depth − 2) / 6} basic blocks with {@code filters[1..3]}
 * channels and strides 1, 2, 2, global average pooling and the classifier {@code fc}. A block's shortcut is a 1×1
 * convolution with BatchNorm ({@code downsample.0}, {@code downsample.1}) when its stride is not 1 or its channel
 * count changes, else the identity.
 *
 * <p><b>ResNet18 / ResNet50</b> ({@code resnetv2.py}): the ImageNet layout without its 7×7 stem and max pool —
 * a 3×3 stem with 64 channels, four stages of basic blocks (ResNet18: 2, 2, 2, 2) or bottleneck blocks with
 * expansion 4 (ResNet50: 3, 4, 6, 3) with 64, 128, 256, 512 planes and strides 1, 2, 2, 2, global average pooling
 * and the classifier {@code linear}. The projection shortcut is named {@code shortcut.0}, {@code shortcut.1}.
 *
 * <p>A basic block computes {@code relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))} with 3×3 convolutions
 * (the first one strided); a bottleneck block uses 1×1, 3×3 (strided), 1×1 convolutions with {@code planes},
 * {@code planes}, {@code 4·planes} outputs. Convolutions have no bias.
 */
final class ResNets {

    /** Output channel multiplier of a bottleneck block. */
    private static final int EXPANSION = 4;

    private ResNets() {
    }

    /**
     * A CIFAR ResNet of {@code resnet.py}.
     *
     * @param depth   {@code 6n + 2}
     * @param filters stem and stage widths, four values
     */
    static NetBuilder.Model cifar(ZooSpec spec, int depth, int... filters) {
        if ((depth - 2) % 6 != 0 || filters.length != 4) {
            throw new IllegalArgumentException("CIFAR ResNet needs depth 6n+2 and 4 widths, found depth " + depth
                    + " and " + filters.length + " widths");
        }
        int n = (depth - 2) / 6;
        NetBuilder net = new NetBuilder(spec, NetBuilder.Family.RESNET);
        Node x = stem(net, filters[0]);
        for (int stage = 1; stage <= 3; stage++) {
            for (int i = 0; i < n; i++) {
                int stride = stage > 1 && i == 0 ? 2 : 1;
                x = basicBlock(net, "layer" + stage + "." + i, x, filters[stage], stride, "downsample");
            }
        }
        return net.head(x, "fc");
    }

    /**
     * A ResNet of {@code resnetv2.py}.
     *
     * @param bottleneck bottleneck blocks (ResNet50) instead of basic blocks (ResNet18)
     * @param blocks     blocks per stage, four values
     */
    static NetBuilder.Model v2(ZooSpec spec, boolean bottleneck, int... blocks) {
        NetBuilder net = new NetBuilder(spec, NetBuilder.Family.RESNET);
        Node x = stem(net, 64);
        for (int stage = 1; stage <= 4; stage++) {
            int planes = 64 << (stage - 1);
            for (int i = 0; i < blocks[stage - 1]; i++) {
                int stride = stage > 1 && i == 0 ? 2 : 1;
                String p = "layer" + stage + "." + i;
                x = bottleneck ? bottleneckBlock(net, p, x, planes, stride)
                        : basicBlock(net, p, x, planes, stride, "shortcut");
            }
        }
        return net.head(x, "linear");
    }

    /** {@code relu(bn1(conv1(x)))} with a 3×3 convolution. */
    private static Node stem(NetBuilder net, int channels) {
        Node x = net.conv("conv1", net.input(), channels, 3, 1, 1, 1, false);
        return net.relu("relu", net.bn("bn1", x));
    }

    /** The basic block; {@code shortcut} names the projection module ({@code downsample} or {@code shortcut}). */
    private static Node basicBlock(NetBuilder net, String p, Node x, int planes, int stride, String shortcut) {
        Node out = net.relu(p + ".relu1", net.bn(p + ".bn1", net.conv(p + ".conv1", x, planes, 3, stride, 1, 1, false)));
        out = net.bn(p + ".bn2", net.conv(p + ".conv2", out, planes, 3, 1, 1, 1, false));
        return net.relu(p + ".relu", net.add(p + ".add", out, shortcut(net, p + "." + shortcut, x, planes, stride)));
    }

    /** The bottleneck block of {@code resnetv2.py}. */
    private static Node bottleneckBlock(NetBuilder net, String p, Node x, int planes, int stride) {
        Node out = net.relu(p + ".relu1", net.bn(p + ".bn1", net.conv(p + ".conv1", x, planes, 1, 1, 0, 1, false)));
        out = net.relu(p + ".relu2", net.bn(p + ".bn2", net.conv(p + ".conv2", out, planes, 3, stride, 1, 1, false)));
        out = net.bn(p + ".bn3", net.conv(p + ".conv3", out, EXPANSION * planes, 1, 1, 0, 1, false));
        Node residual = shortcut(net, p + ".shortcut", x, EXPANSION * planes, stride);
        return net.relu(p + ".relu", net.add(p + ".add", out, residual));
    }

    /** Identity, or a strided 1×1 convolution ({@code m.0}) with BatchNorm ({@code m.1}) when the shape changes. */
    private static Node shortcut(NetBuilder net, String m, Node x, int out, int stride) {
        if (stride == 1 && x.channels() == out) {
            return x;
        }
        return net.bn(m + ".1", net.conv(m + ".0", x, out, 1, stride, 0, 1, false));
    }
}
