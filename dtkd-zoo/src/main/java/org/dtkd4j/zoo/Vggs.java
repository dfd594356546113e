package org.dtkd4j.zoo;

import org.dtkd4j.zoo.NetBuilder.Node;

/**
 * VGG networks with BatchNorm (Simonyan and Zisserman, "Very Deep Convolutional Networks for Large-Scale Image
 * Recognition", ICLR 2015), {@code vgg.py} of the reference: vgg8, vgg11, vgg13, vgg16, vgg19 (its
 * {@code vgg*_bn} constructors).
 *
 * <p>Five blocks {@code block0} … {@code block4} of 3×3 convolutions (with bias), each followed by BatchNorm and
 * ReLU, named by their index in the reference's {@code nn.Sequential} ({@code block2.0} convolution,
 * {@code block2.1} BatchNorm, {@code block2.3} next convolution, …). 2×2 max pooling follows blocks 0, 1 and 2; the
 * reference applies its fourth pool ({@code pool3}, after block 3) only when the input height is exactly 64, so at
 * 32×32 blocks 3 and 4 run at 4×4. Then global average pooling and the classifier {@code classifier}.
 */
final class Vggs {

    private Vggs() {
    }

    /** Reference configuration "S" (vgg8). */
    static final int[][] S = {{64}, {128}, {256}, {512}, {512}};
    /** Reference configuration "A" (vgg11). */
    static final int[][] A = {{64}, {128}, {256, 256}, {512, 512}, {512, 512}};
    /** Reference configuration "B" (vgg13). */
    static final int[][] B = {{64, 64}, {128, 128}, {256, 256}, {512, 512}, {512, 512}};
    /** Reference configuration "D" (vgg16). */
    static final int[][] D = {{64, 64}, {128, 128}, {256, 256, 256}, {512, 512, 512}, {512, 512, 512}};
    /** Reference configuration "E" (vgg19). */
    static final int[][] E = {{64, 64}, {128, 128}, {256, 256, 256, 256}, {512, 512, 512, 512},
            {512, 512, 512, 512}};

    /** The input height at which the reference applies {@code pool3}. */
    private static final int POOL3_HEIGHT = 64;

    /** @param cfg convolution widths per block, five blocks */
    static NetBuilder.Model build(ZooSpec spec, int[][] cfg) {
        NetBuilder net = new NetBuilder(spec, NetBuilder.Family.VGG_MOBILENET);
        Node x = net.input();
        for (int b = 0; b < cfg.length; b++) {
            for (int i = 0; i < cfg[b].length; i++) {
                String p = "block" + b + ".";
                Node conv = net.conv(p + (3 * i), x, cfg[b][i], 3, 1, 1, 1, true);
                x = net.relu(p + (3 * i + 2), net.bn(p + (3 * i + 1), conv));
            }
            if (b < 3 || (b == 3 && spec.height() == POOL3_HEIGHT)) {
                x = net.maxPool("pool" + b, x, 2, 2);
            }
        }
        return net.head(x, "classifier");
    }
}
