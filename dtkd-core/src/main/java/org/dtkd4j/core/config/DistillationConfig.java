package org.dtkd4j.core.config;

import org.dtkd4j.core.loss.LossBuilder;
import org.nd4j.shade.jackson.annotation.JsonAutoDetect;
import org.nd4j.shade.jackson.annotation.JsonTypeInfo;
import org.nd4j.shade.jackson.databind.annotation.JsonTypeIdResolver;

import java.io.Serializable;
import java.util.List;

/**
 * A logit-distillation method and its hyper-parameters: a closed set of immutable records, each validated in its
 * constructor and each the <em>one place</em> that knows its method. A record holds
 * <ul>
 *   <li>its official defaults ({@code defaults()}) and validation (its constructor);</li>
 *   <li>its warmup ({@link #warmup()}, {@link #hasWarmup()}, {@link #warmupFactor(int)});</li>
 *   <li>its loss, written once against a {@link LossBuilder} ({@link #build}): the closed form
 *   ({@code org.dtkd4j.core.loss.DistillationLosses}) and the SameDiff graph
 *   ({@code org.dtkd4j.core.samediff.SameDiffLosses}) both run it, and the DL4J adapter
 *   ({@code org.dtkd4j.core.dl4j.DistillationLossFunction}) evaluates the closed form;</li>
 *   <li>its serialised form: the record's components, tagged with the method's name ({@code "method": "DTKD"}) in
 *   JSON, so that a network configuration holding the loss survives JSON and {@code ModelSerializer} round trips
 *   (and Java serialisation);</li>
 *   <li>its keys in the official YAML configs ({@link #officialKeys()}, {@link #withOfficialKeys},
 *   {@link #officialType()}, {@link #logitStandardization()}).</li>
 * </ul>
 * {@link Method} is the registry: one constant per record, in the order methods are listed to users.
 *
 * <p>Epochs follow the reference trainer: the first training epoch is epoch 1, and the warmup factor
 * {@code min(epoch / warmup, 1)} multiplies the distillation terms only, never the cross-entropy.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.CUSTOM, property = "method")
@JsonTypeIdResolver(MethodTypeIds.class)
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY, getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE, setterVisibility = JsonAutoDetect.Visibility.NONE)
public sealed interface DistillationConfig extends Serializable
        permits CeConfig, KdConfig, DkdConfig, DtkdConfig, DtkdDkdConfig, LsKdConfig, LsDkdConfig,
        NormKdConfig, NormKdDkdConfig {

    /** @return the method this configuration belongs to, from the {@link Method} registry */
    default Method method() {
        return Method.of(this);
    }

    /** @return the weight of the cross-entropy term against the hard labels */
    double ceWeight();

    /**
     * @return what the loss does on degenerate inputs; methods without a policy of their own (cross-entropy, KD)
     * have no hazards beyond non-finite results and report {@link HazardPolicy#GUARDED}
     */
    default HazardPolicy hazardPolicy() {
        return HazardPolicy.GUARDED;
    }

    /** @return the warmup length in epochs, 0 for a method without warmup */
    default int warmup() {
        return 0;
    }

    /**
     * @return whether the distillation terms are scaled by {@code min(epoch / warmup, 1)}: such a loss needs the
     * epoch, and refuses to compute without one where the epoch is state (the DL4J adapter)
     */
    default boolean hasWarmup() {
        return warmup() > 0;
    }

    /**
     * The factor multiplying the distillation terms at a given epoch.
     *
     * @param epoch reference epoch number, {@code >= 0} (1 for the first training epoch)
     * @return {@code min(epoch / warmup, 1)} for methods with a warmup, otherwise 1
     * @throws IllegalArgumentException if {@code epoch < 0}
     */
    default double warmupFactor(int epoch) {
        double factor = Checks.warmupFactor(epoch, hasWarmup() ? warmup() : 1);
        return hasWarmup() ? factor : 1.0;
    }

    /**
     * Describes the loss on a builder: its temperatures, terms and weights. Implementations call
     * {@link LossBuilder#total} (or a default method that does) exactly once.
     *
     * @param builder the front end computing the loss
     * @param <T>     the builder's temperature handle
     * @param <V>     the builder's term handle
     */
    <T, V> void build(LossBuilder<T, V> builder);

    /**
     * @return the hyper-parameters under their keys in the official YAML configs, with this record's values (a
     *         method's {@code defaults().officialKeys()} are its YAML defaults); empty for a method without any
     */
    List<ConfigKey> officialKeys();

    /**
     * @param values the values of {@link #officialKeys()} (and this library's settings) read from a config
     * @return a record of this method with those values
     * @throws IllegalArgumentException if a value is invalid, naming the record's field and the value found
     */
    DistillationConfig withOfficialKeys(ConfigValues values);

    /** @return the official configs' {@code DISTILLER.TYPE} of this method (e.g. {@code KD}); its name by default */
    default String officialType() {
        return method().name();
    }

    /**
     * @return whether the official configs select this method by {@link #officialType()} together with
     *         {@code EXPERIMENT.LOGIT_STAND True} (logit standardisation, Sun et al. 2024)
     */
    default boolean logitStandardization() {
        return false;
    }

    /**
     * @param method a method
     * @return its official default configuration, same as {@link Method#defaultConfig()}
     */
    static DistillationConfig defaults(Method method) {
        return method.defaultConfig();
    }
}
