package org.dtkd4j.core;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

import static org.assertj.core.api.Assertions.assertThat;

class BackendSmokeTest {
    @Test
    void backendLoads() {
        System.out.println(Nd4j.getBackend().getClass() + " " + Nd4j.getExecutioner().getEnvironmentInformation());
        assertThat(Nd4j.create(new double[]{1, 2}).sumNumber().doubleValue()).isEqualTo(3.0);
    }
}
