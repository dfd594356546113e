package org.dtkd4j.core.engine;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class ProgressTest {

    @Test
    void plainLinesCarryRateAndEta() {
        AtomicLong clock = new AtomicLong();
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Progress p = new Progress(new PrintStream(buf, true, StandardCharsets.UTF_8), false, 30, clock::get);
        p.start("epoch 1/2", 10);
        clock.addAndGet(10_000_000_000L);
        p.step(2, 128); // 10 s for 2 of 10 steps: 40 s left, 12.8 img/s
        p.step(0, 0);   // not yet 30 s since the last line: nothing printed
        clock.addAndGet(40_000_000_000L);
        p.step(8, 512);
        p.finish();
        String[] lines = buf.toString(StandardCharsets.UTF_8).split("\\R");
        assertThat(lines).hasSize(2);
        assertThat(lines[0]).contains("epoch 1/2").contains("[####################] 100%").contains("10/10")
                .contains("12.8/s").contains("took 0:00:50");
    }

    @Test
    void etaExtrapolatesTheElapsedTime() {
        AtomicLong clock = new AtomicLong();
        Progress p = new Progress(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), false, 1e9,
                clock::get);
        p.start("x", 4);
        clock.addAndGet(3_000_000_000L);
        p.step(1, 64);
        assertThat(p.line(clock.get())).contains(" 25%").contains("ETA 0:00:09").contains("21.3/s");
        assertThat(Progress.format(Duration.ofSeconds(3725))).isEqualTo("1:02:05");
    }
}
