package org.dtkd4j.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SplitMix64Test {

    @Test
    void matchesTheReferenceSequence() {
        // The first outputs of the reference C implementation (splitmix64.c) seeded with 1234567.
        SplitMix64 random = new SplitMix64(1234567L);
        long[] expected = {6457827717110365317L, 3203168211198807973L, -8629252141511181193L,
                4593380528125082431L, -2037821214251327795L};
        for (long value : expected) {
            assertThat(random.nextLong()).isEqualTo(value);
        }
    }

    @Test
    void nextIntIsInRangeAndHitsEveryValue() {
        SplitMix64 random = new SplitMix64(3L);
        int[] counts = new int[9];
        for (int i = 0; i < 9000; i++) {
            counts[random.nextInt(9)]++;
        }
        // Binomial(9000, 1/9): mean 1000, sd 30.
        for (int count : counts) {
            assertThat(count).isBetween(850, 1150);
        }
        assertThatThrownBy(() -> random.nextInt(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bound must be >= 1, found 0");
    }

    @Test
    void permutationHoldsEachIndexOnce() {
        int[] permutation = new SplitMix64(5L).permutation(1000);
        assertThat(permutation).containsExactlyInAnyOrder(IntStream.range(0, 1000).toArray());
        assertThat(permutation).isNotEqualTo(IntStream.range(0, 1000).toArray());
        assertThat(new SplitMix64(5L).permutation(1000)).containsExactly(permutation);
    }

    @Test
    void streamsOfOneSeedDiffer() {
        long[] firsts = IntStream.range(0, 100).mapToLong(i -> SplitMix64.forStream(42L, i).nextLong()).toArray();
        assertThat(Arrays.stream(firsts).distinct().count()).isEqualTo(100);
        assertThat(SplitMix64.forStream(42L, 3).nextLong()).isEqualTo(firsts[3])
                .isNotEqualTo(SplitMix64.forStream(43L, 3).nextLong());
    }
}
