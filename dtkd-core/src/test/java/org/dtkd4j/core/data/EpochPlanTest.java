package org.dtkd4j.core.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class EpochPlanTest {

    @Test
    void planIsAFunctionOfSeedAndEpoch() {
        EpochPlan plan = EpochPlan.of(500, 11L, 3, true, Augmentation.REFERENCE);
        EpochPlan again = EpochPlan.of(500, 11L, 3, true, Augmentation.REFERENCE);

        assertThat(again.order()).containsExactly(plan.order());
        assertThat(again.shiftY()).containsExactly(plan.shiftY());
        assertThat(again.shiftX()).containsExactly(plan.shiftX());
        assertThat(again.flip()).containsExactly(plan.flip());
        EpochPlan nextEpoch = EpochPlan.of(500, 11L, 4, true, Augmentation.REFERENCE);
        assertThat(nextEpoch.order()).isNotEqualTo(plan.order());
        assertThat(nextEpoch.shiftY()).isNotEqualTo(plan.shiftY());
        assertThat(EpochPlan.of(500, 12L, 3, true, Augmentation.REFERENCE).order()).isNotEqualTo(plan.order());
    }

    @Test
    void shuffledOrderIsAPermutation() {
        EpochPlan plan = EpochPlan.of(500, 1L, 0, true, Augmentation.NONE);
        assertThat(plan.order()).containsExactlyInAnyOrder(IntStream.range(0, 500).toArray());
    }

    @Test
    void referenceAugmentationDrawsEveryShiftInRangeAndBothFlips() {
        EpochPlan plan = EpochPlan.of(5000, 2L, 0, false, Augmentation.REFERENCE);

        assertThat(plan.order()).containsExactly(IntStream.range(0, 5000).toArray());
        assertThat(plan.shiftY()).containsOnly(IntStream.rangeClosed(-4, 4).toArray());
        assertThat(plan.shiftX()).containsOnly(IntStream.rangeClosed(-4, 4).toArray());
        long flips = IntStream.range(0, 5000).filter(i -> plan.flip()[i]).count();
        // Binomial(5000, 1/2): sd 35.
        assertThat(flips).isBetween(2300L, 2700L);
    }

    @Test
    void noAugmentationMeansNoShiftAndNoFlip() {
        EpochPlan plan = EpochPlan.of(100, 2L, 5, true, Augmentation.NONE);
        assertThat(plan.shiftY()).containsOnly(0);
        assertThat(plan.shiftX()).containsOnly(0);
        assertThat(plan.flip()).containsOnly(false);
        // Flip alone leaves the crop shift at 0.
        EpochPlan flipOnly = EpochPlan.of(100, 2L, 5, true, new Augmentation(0, true));
        assertThat(flipOnly.shiftX()).containsOnly(0);
        assertThat(flipOnly.flip()).contains(true, false);
        // The permutation is drawn first, so adding augmentation does not change the order.
        assertThat(flipOnly.order()).containsExactly(plan.order());
    }
}
