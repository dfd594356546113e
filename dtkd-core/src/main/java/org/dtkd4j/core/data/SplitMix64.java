package org.dtkd4j.core.data;

/**
 * The SplitMix64 pseudo-random generator (Steele, Lea and Flood, "Fast Splittable Pseudorandom Number Generators",
 * OOPSLA 2014), written out here so that every shuffle and augmentation draw is fixed by this code alone and never
 * changes with the JDK version.
 *
 * <p>Output {@code k} (from 1) of a generator seeded with {@code s} is {@code mix(s + k * 0x9E3779B97F4A7C15)},
 * where {@code mix} is the generator's 64-bit finaliser. Not thread-safe.
 */
final class SplitMix64 {

    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private long state;

    /**
     * Creates a generator.
     *
     * @param seed the initial state
     */
    SplitMix64(long seed) {
        this.state = seed;
    }

    /**
     * Creates the generator of stream {@code index} of {@code seed}, e.g. the generator of one epoch: its initial
     * state {@code mix(mix(seed) ^ index)} is a bijection of {@code index} for a given seed, so distinct indices
     * start at unrelated points of the sequence.
     *
     * @param seed  the user's seed
     * @param index the stream index (an epoch number)
     * @return a fresh generator
     */
    static SplitMix64 forStream(long seed, long index) {
        return new SplitMix64(mix(mix(seed) ^ index));
    }

    /** @return the next 64 random bits */
    long nextLong() {
        state += GOLDEN_GAMMA;
        return mix(state);
    }

    /**
     * Draws a uniform integer in {@code [0, bound)} from 31 random bits, rejecting the incomplete top block so that
     * every value is equally likely (the method of {@code java.util.Random.nextInt(int)}).
     *
     * @param bound the exclusive upper bound, at least 1
     * @return a uniform integer in {@code [0, bound)}
     */
    int nextInt(int bound) {
        if (bound < 1) {
            throw new IllegalArgumentException("bound must be >= 1, found " + bound);
        }
        while (true) {
            int bits = (int) (nextLong() >>> 33);
            int value = bits % bound;
            if (bits - value + (bound - 1) >= 0) {
                return value;
            }
        }
    }

    /** @return a fair random boolean (the top bit of {@link #nextLong()}) */
    boolean nextBoolean() {
        return nextLong() < 0;
    }

    /**
     * Draws a uniform random permutation of {@code 0 .. n-1} with the Fisher-Yates shuffle, swapping position
     * {@code i} (from {@code n-1} down to 1) with a position drawn by {@code nextInt(i + 1)}.
     *
     * @param n the permutation length, at least 0
     * @return a new array holding each of {@code 0 .. n-1} once
     */
    int[] permutation(int n) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = nextInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        return order;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
