package org.dtkd4j.examples.bench;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Reading /proc and the quiet verdict, on fixed inputs and on this process. */
class MachineStateTest {

    @Test
    void processTicksAreUserPlusSystemEvenWithSpacesInTheName() {
        String stat = "4242 (my (odd) name) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 31 0 0 20 0 4 0 12345 0 0";
        assertThat(MachineState.ticks(stat)).isEqualTo(281);
    }

    @Test
    void minorFaultsAreFieldTenEvenWithSpacesInTheName() {
        String stat = "4242 (my (odd) name) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 31 0 0 20 0 4 0 12345 0 0";
        assertThat(MachineState.faults(stat)).isEqualTo(1000);
        assertThat(MachineState.processFaults(ProcessHandle.current().pid())).isPositive();
        assertThat(MachineState.processFaults(-5)).isEqualTo(-1);
    }

    @Test
    void quietNeedsLittleOtherCpuNoBusyProcessAndAnIdleOtherSide() {
        assertThat(MachineState.notQuietReasons(0.01, List.of(), List.of(), 0.02, -1)).isEmpty();
        assertThat(MachineState.notQuietReasons(0.01, List.of(), List.of(), 0.10, 0.10)).as("at the bound").isEmpty();
        assertThat(MachineState.notQuietReasons(0.20, List.of(), List.of(), -1, -1))
                .containsExactly("other processes used 20.0% of the machine's CPU time during the run (quiet: < 5%)");
        assertThat(MachineState.notQuietReasons(Double.NaN, List.of("java (12) 0.95 cores"), List.of(), 0.5, 0.13))
                .containsExactly("the CPU time of other processes is unknown (no /proc/stat)",
                        "busy before the run: java (12) 0.95 cores",
                        "the PyTorch process used 0.50 cores while DL4J was timed (OpenMP threads spinning?)",
                        "the JVM used 0.13 cores while PyTorch was timed (its JIT compiler and service threads, or "
                                + "OpenMP threads spinning?)");
        assertThat(MachineState.notQuietReasons(0.0, List.of(), List.of("python3 (7) 1.00 cores"), 0.01, 0.2))
                .containsExactly("busy after the run: python3 (7) 1.00 cores", "the JVM used 0.20 cores while PyTorch "
                        + "was timed (its JIT compiler and service threads, or OpenMP threads spinning?)");
    }

    @Test
    void thisProcessIsReadable() {
        long self = ProcessHandle.current().pid();
        assertThat(MachineState.processTicks(self)).isNotNegative();
        assertThat(MachineState.processTicks(-5)).isEqualTo(-1);
        long[] machine = MachineState.machineTicks();
        assertThat(machine[1]).isGreaterThanOrEqualTo(machine[0]).isPositive();
        assertThat(MachineState.loadAverage()).matches("\\d+\\.\\d+ \\d+\\.\\d+ \\d+\\.\\d+ \\(1/5/15 min\\)");
        assertThat(MachineState.busyProcesses(Set.of(self), 50)).allMatch(s -> s.endsWith(" cores"));
    }
}
