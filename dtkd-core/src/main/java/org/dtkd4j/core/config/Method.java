package org.dtkd4j.core.config;

import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The registry of distillation methods: one constant per {@link DistillationConfig} record, each with the record's
 * official defaults. The engine, the command line, the YAML reader and the benchmarks list methods from here; every
 * other piece of a method's knowledge lives in its record. Adding a method is its record plus one constant here
 * (and the record's name in the sealed interface's {@code permits} clause, which the compiler enforces); loading
 * this class fails if a permitted record has no constant or two.
 */
public enum Method {
    /** No distillation: cross-entropy only (the student baseline), {@link CeConfig}. */
    NONE(CeConfig::defaults),
    /** Vanilla knowledge distillation (Hinton et al. 2015), {@link KdConfig}. */
    KD(KdConfig::defaults),
    /** Decoupled knowledge distillation (Zhao et al. 2022), {@link DkdConfig}. */
    DKD(DkdConfig::defaults),
    /** Dynamic temperature knowledge distillation (Wei &amp; Bai 2024), {@link DtkdConfig}. */
    DTKD(DtkdConfig::defaults),
    /** DKD computed with the per-sample DTKD temperatures (this library's combination), {@link DtkdDkdConfig}. */
    DTKD_DKD(DtkdDkdConfig::defaults),
    /** Knowledge distillation on standardised logits (Sun et al. 2024), {@link LsKdConfig}. */
    LS_KD(LsKdConfig::defaults),
    /** Decoupled knowledge distillation on standardised logits (Sun et al. 2024), {@link LsDkdConfig}. */
    LS_DKD(LsDkdConfig::defaults),
    /** NormKD: per-sample temperatures from each row's std (Chi et al. 2023), {@link NormKdConfig}. */
    NORMKD(NormKdConfig::defaults),
    /** DKD on NormKD's per-sample temperatures (Chi et al. 2023), {@link NormKdDkdConfig}. */
    NORMKD_DKD(NormKdDkdConfig::defaults);

    private final Supplier<DistillationConfig> defaults;

    Method(Supplier<DistillationConfig> defaults) {
        this.defaults = defaults;
    }

    /** @return the official default configuration of this method */
    public DistillationConfig defaultConfig() {
        return defaults.get();
    }

    /** @return the record class of this method's configurations */
    public Class<? extends DistillationConfig> configType() {
        return defaultConfig().getClass();
    }

    /** @return whether the method needs teacher logits ({@code false} only for {@link #NONE}) */
    public boolean usesTeacher() {
        return this != NONE;
    }

    /**
     * @param config a configuration
     * @return its method
     */
    static Method of(DistillationConfig config) {
        return Registry.BY_TYPE.get(config.getClass());
    }

    /** The record classes, checked against the sealed interface when first used. */
    private static final class Registry {
        static final Map<Class<?>, Method> BY_TYPE = Arrays.stream(values())
                .collect(Collectors.toUnmodifiableMap(Method::configType, Function.identity()));

        static {
            for (Class<?> permitted : DistillationConfig.class.getPermittedSubclasses()) {
                if (!BY_TYPE.containsKey(permitted)) {
                    throw new IllegalStateException(permitted.getSimpleName() + " is a DistillationConfig without a "
                            + "Method constant");
                }
            }
        }
    }
}
