package org.dtkd4j.zoo.teacher;

import org.bytedeco.javacpp.Pointer;
import org.dtkd4j.core.teacher.Teacher;
import org.dtkd4j.zoo.GoldenFixtures;
import org.dtkd4j.zoo.keras.KerasTeachers;
import org.dtkd4j.zoo.onnx.OnnxTeachers;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A teacher called for many minibatches (as across many epochs) does not grow memory. After {@value #WARMUP}
 * warm-up calls, {@value #CALLS} more calls may grow
 * <ul>
 *   <li>the Java heap in use after garbage collection by less than {@value #HEAP_BOUND} bytes: DL4J 1.0.0-M2.1's
 *   SameDiff session, left alone, retains about 5.5 kB per call of the ONNX ResNet-8 (1.6 MB here), while the
 *   fluctuation seen without any leak was up to 0.25 MB;</li>
 *   <li>the resident native memory ({@link Pointer#physicalBytes()}) by less than {@value #NATIVE_BOUND} bytes: it
 *   moves by tens of MB with the allocator's caching, while keeping the activations of a call (the ResNet-8's
 *   {@code [8, 16, 32, 32]} float maps are 0.5 MB each, about 20 of them) would add gigabytes over
 *   {@value #CALLS} calls.</li>
 * </ul>
 * Both measures climb during the first calls (JIT, SameDiff's array cache, the native allocator's per-thread arenas)
 * before they level off, hence the warm-up: measured over 10,000 calls of the Keras teacher, the heap stayed within
 * 12 kB and the resident size within 16 MB after the first 2,000 calls; over 1,000 calls of the ONNX teacher, within
 * 8 kB and flat after 400. ND4J's CPU arrays are not counted by JavaCPP's {@code Pointer.totalBytes()},
 * so that counter cannot be used.
 */
class TeacherMemoryTest {

    static final int WARMUP = 100;
    static final int CALLS = 300;
    static final long HEAP_BOUND = 1L << 20;
    static final long NATIVE_BOUND = 128L << 20;

    @Test
    void onnxTeacherDoesNotGrowMemory() throws Exception {
        try (Teacher t = OnnxTeachers.load(GoldenFixtures.smallestExport())) {
            assertNoGrowth(t, Nd4j.rand(DataType.FLOAT, 8, 3, 32, 32));
        }
    }

    @Test
    void kerasTeacherDoesNotGrowMemory() throws Exception {
        try (Teacher t = KerasTeachers.load(Path.of("src/test/resources/keras/keras_residual.h5"))) {
            assertNoGrowth(t, Nd4j.rand(DataType.FLOAT, 8, 3, 12, 12));
        }
    }

    private static void assertNoGrowth(Teacher teacher, INDArray batch) throws InterruptedException {
        INDArray first = teacher.logits(batch);
        for (int i = 1; i < WARMUP; i++) {
            teacher.logits(batch);
        }
        long heapBefore = settledHeap();
        long nativeBefore = Pointer.physicalBytes();
        INDArray last = null;
        for (int i = 0; i < CALLS; i++) {
            last = teacher.logits(batch);
        }
        long heapAfter = settledHeap();
        long nativeAfter = Pointer.physicalBytes();
        System.out.printf("memory %-42s over %d calls: heap %,d -> %,d (%+,d bytes), resident %,d -> %,d "
                        + "(%+,d bytes)%n", teacher.describe(), CALLS, heapBefore, heapAfter, heapAfter - heapBefore,
                nativeBefore, nativeAfter, nativeAfter - nativeBefore);
        assertThat(last).isEqualTo(first);
        assertThat(heapAfter - heapBefore).as("heap growth over " + CALLS + " calls").isLessThan(HEAP_BOUND);
        assertThat(nativeAfter - nativeBefore).as("resident growth over " + CALLS + " calls").isLessThan(NATIVE_BOUND);
    }

    /** Heap in use once repeated garbage collections no longer change it. */
    private static long settledHeap() throws InterruptedException {
        Runtime rt = Runtime.getRuntime();
        long previous = -1;
        long now = rt.totalMemory() - rt.freeMemory();
        for (int i = 0; i < 10 && now != previous; i++) {
            System.gc();
            Thread.sleep(50);
            previous = now;
            now = rt.totalMemory() - rt.freeMemory();
        }
        return now;
    }
}
