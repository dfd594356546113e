package org.dtkd4j.zoo;

/**
 * How {@link CifarZoo} initialises a model's random parameters ({@link ZooSpec#initialization()}).
 */
public enum Initialization {
    /**
     * The reference's own initialisation, per family (its model files' {@code __init__} and
     * {@code _initialize_weights}), so that a zoo student starts where a reference student starts:
     * <ul>
     *   <li>ResNets, ResNet18/50: convolutions {@code kaiming_normal_(mode="fan_out", nonlinearity="relu")},
     *   {@code N(0, 2/(k²·out))}; classifier weight and bias PyTorch's {@code nn.Linear} default,
     *   {@code U(±1/√in)};</li>
     *   <li>WRNs: convolutions {@code N(0, 2/(k²·out))}; classifier weight {@code U(±1/√in)}, bias 0;</li>
     *   <li>VGGs, MobileNetV2: convolutions {@code N(0, 2/(k²·out))} (depthwise: {@code out} = channels), their
     *   biases 0; classifier {@code N(0, 0.01²)}, bias 0;</li>
     *   <li>ShuffleV1, ShuffleV2: PyTorch's defaults, convolutions {@code U(±1/√(k²·in/groups))}, classifier
     *   weight and bias {@code U(±1/√in)};</li>
     *   <li>BatchNorm everywhere: γ = 1, β = 0, running mean 0, running variance 1.</li>
     * </ul>
     */
    REFERENCE,
    /**
     * DL4J's scheme, as dtkd4j used before it followed the reference: every convolution He-normal over its fan-in
     * ({@code WeightInit.RELU}, {@code N(0, 2/(k²·in))}), the classifier {@code U(±1/√in)} ({@code WeightInit.UNIFORM}),
     * biases 0, BatchNorm γ = 1, β = 0.
     */
    DL4J
}
