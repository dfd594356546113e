package org.nd4j.nativeblas;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.function.BooleanSupplier;

import org.dtkd4j.core.perf.FastKernels;
import org.nd4j.common.config.ND4JClassLoading;

/**
 * Compatibility bridge, shipped by dtkd4j (not by ND4J), that lets Deeplearning4j 1.0.0-M2.1 find its own oneDNN
 * layer helpers.
 *
 * <p>DL4J's {@code org.deeplearning4j.nn.layers.mkldnn.BaseMKLDNNHelper.mklDnnEnabled()} decides whether the oneDNN
 * helpers of {@code ConvolutionLayer}, {@code SubsamplingLayer}, {@code BatchNormalization} and
 * {@code LocalResponseNormalization} may run by reflecting on {@code org.nd4j.nativeblas.Nd4jCpu$Environment}:
 * it calls the public static {@code getInstance()} and casts the result of the public instance method
 * {@code isUseMKLDNN()} to {@code boolean}. ND4J 1.0.0-M2.1 moved that JavaCPP binding to
 * {@code org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu$Environment} and renamed the method
 * {@code isUseONEDNN()}, so the lookup always fails, DL4J latches the failure in a static flag, and every layer
 * silently runs the slow built-in im2col/gemm path. This class restores the old name and forwards to the new one,
 * once the user enabled dtkd4j's fast kernels; until then it answers {@code false}, as a missing class would, except
 * that DL4J latches nothing, so networks initialized after {@link FastKernels#enable()} get their helpers.
 *
 * <p>ND4J's binding is resolved by reflection, so dtkd-core compiles against the ND4J API alone: on a classpath
 * without the ND4J CPU backend {@link Environment#isUseOneDnn()} answers {@code false}, which is what DL4J's check
 * expects there (DL4J itself only asks on the CPU backend). Being a class in ND4J's package, it needs the classpath:
 * on the module path the package {@code org.nd4j.nativeblas} would be split between {@code nd4j-native-api} and
 * dtkd-core.
 *
 * @see org.dtkd4j.core.perf.FastKernels
 */
public final class Nd4jCpu {

    private Nd4jCpu() {
    }

    /**
     * The environment entry point DL4J 1.0.0-M2.1 looks up: a singleton whose {@link #isUseMKLDNN()} reports
     * whether ND4J's native CPU library was built with oneDNN and has it switched on.
     */
    public static final class Environment {

        /** Binary name of the ND4J 1.0.0-M2.1 CPU environment binding this class forwards to. */
        public static final String TARGET = "org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu$Environment";

        private static final Environment INSTANCE = new Environment();

        private final BooleanSupplier useOneDnn = bind();

        private Environment() {
        }

        /**
         * Returns the singleton, as DL4J's reflective check expects.
         *
         * @return the environment bridge
         */
        public static Environment getInstance() {
            return INSTANCE;
        }

        /**
         * The answer DL4J's helper check gets: {@code false} unless dtkd4j's fast kernels are enabled
         * ({@link org.dtkd4j.core.perf.FastKernels#isEnabled()}), so that this class changes no kernel of a program
         * that did not opt in; once enabled, {@link #isUseOneDnn()}.
         *
         * @return whether DL4J may use its oneDNN layer helpers
         * @throws IllegalStateException if ND4J's binding fails when called
         */
        public boolean isUseMKLDNN() {
            return FastKernels.isEnabled() && isUseOneDnn();
        }

        /**
         * Returns {@code Nd4jCpu.Environment.getInstance().isUseONEDNN()} of ND4J's CPU backend (read on every call,
         * since ND4J's {@code setUseONEDNN} can change it), or {@code false} when that backend is not on the
         * classpath.
         *
         * @return whether ND4J's CPU backend uses oneDNN
         * @throws IllegalStateException if ND4J's binding fails when called
         */
        public boolean isUseOneDnn() {
            return useOneDnn.getAsBoolean();
        }

        private static BooleanSupplier bind() {
            final Class<?> target;
            try {
                target = Class.forName(TARGET, true, ND4JClassLoading.getNd4jClassloader());
            } catch (ClassNotFoundException notCpuBackend) {
                return () -> false;
            }
            final Object environment;
            final Method isUseOneDnn;
            try {
                environment = target.getMethod("getInstance").invoke(null);
                isUseOneDnn = target.getMethod("isUseONEDNN");
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("ND4J CPU binding " + TARGET
                        + " lacks the 1.0.0-M2.1 methods getInstance()/isUseONEDNN(), found: " + e, e);
            }
            return () -> {
                try {
                    return (boolean) isUseOneDnn.invoke(environment);
                } catch (IllegalAccessException | InvocationTargetException e) {
                    throw new IllegalStateException("ND4J CPU binding " + TARGET + ".isUseONEDNN() failed: " + e, e);
                }
            };
        }
    }
}
