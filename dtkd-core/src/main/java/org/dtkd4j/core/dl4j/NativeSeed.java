package org.dtkd4j.core.dl4j;

import org.nd4j.linalg.factory.Nd4j;

/**
 * Seeds for ND4J's native random generator that always reproduce, including the user's seed {@code 0}.
 *
 * <p>ND4J 1.0.0-M2.1 hands a seed to libnd4j's {@code RandomGenerator::setStates(rootSeed, nodeSeed)}
 * ({@code Nd4j.getRandom().setSeed(s)}, and so DL4J's weight initialisation of a network configured with
 * {@code .seed(s)}), and libnd4j replaces a root seed of {@code 0} with the current time in milliseconds. A
 * network built with seed 0 therefore gets different initial weights in every run: measured, two
 * {@code CifarZoo} builds with seed 0 differ in every convolution and dense weight, within one JVM and across JVMs,
 * while any other seed gives identical weights. {@link #of(long)} maps 0 to the fixed seed {@link #FOR_ZERO} and
 * leaves every other seed as it is, so that networks seeded with a non-zero seed initialise exactly as before.
 *
 * <pre>{@code
 * new NeuralNetConfiguration.Builder().seed(NativeSeed.of(seed)) ...
 * NativeSeed.set(seed);            // instead of Nd4j.getRandom().setSeed(seed)
 * }</pre>
 */
public final class NativeSeed {

    /**
     * The native seed that stands for the seed 0: the SplitMix64 increment {@code 0x9E3779B97F4A7C15}
     * ({@code -7046029254386353131}), a value no one picks by hand. A run with this seed initialises as one with
     * seed 0.
     */
    public static final long FOR_ZERO = 0x9E3779B97F4A7C15L;

    private NativeSeed() {
    }

    /**
     * @param seed a user's seed, any value
     * @return the seed to give ND4J or DL4J: {@code seed} itself, or {@link #FOR_ZERO} for 0 (which libnd4j would
     *         replace by the clock)
     */
    public static long of(long seed) {
        return seed == 0 ? FOR_ZERO : seed;
    }

    /**
     * Seeds the calling thread's ND4J generator ({@code Nd4j.getRandom()}) with {@link #of(long) of(seed)}.
     *
     * @param seed a user's seed, any value
     */
    public static void set(long seed) {
        Nd4j.getRandom().setSeed(of(seed));
    }
}
