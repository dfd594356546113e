package org.dtkd4j.core.config;

/**
 * The configuration of one loss: a closed set of immutable records, one per {@link Method}, each validated in its
 * constructor. The loss factories ({@code org.dtkd4j.core.loss.DistillationLosses},
 * {@code org.dtkd4j.core.samediff.SameDiffLosses}, {@code org.dtkd4j.core.dl4j.DistillationLossFunction#of}) take
 * any of them.
 *
 * <p>Epochs follow the reference trainer: the first training epoch is epoch 1, and the warmup factor
 * {@code min(epoch / warmup, 1)} multiplies the distillation terms only, never the cross-entropy.
 */
public sealed interface DistillationConfig permits CeConfig, KdConfig, DkdConfig, DtkdConfig, DtkdDkdConfig {

    /** @return the method this configuration belongs to */
    Method method();

    /** @return the weight of the cross-entropy term against the hard labels */
    double ceWeight();

    /**
     * @return what the loss does on degenerate inputs; methods without a policy of their own (cross-entropy, KD)
     * have no hazards beyond non-finite results and report {@link HazardPolicy#GUARDED}
     */
    default HazardPolicy hazardPolicy() {
        return HazardPolicy.GUARDED;
    }

    /**
     * The factor multiplying the distillation terms at a given epoch.
     *
     * @param epoch reference epoch number, {@code >= 0} (1 for the first training epoch)
     * @return {@code min(epoch / warmup, 1)} for methods with a warmup, otherwise 1
     * @throws IllegalArgumentException if {@code epoch < 0}
     */
    double warmupFactor(int epoch);

    /**
     * @param method a method
     * @return its official default configuration, same as {@link Method#defaultConfig()}
     */
    static DistillationConfig defaults(Method method) {
        return method.defaultConfig();
    }
}
