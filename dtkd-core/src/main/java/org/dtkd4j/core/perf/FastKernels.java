package org.dtkd4j.core.perf;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.deeplearning4j.config.DL4JSystemProperties;
import org.deeplearning4j.nn.layers.mkldnn.BaseMKLDNNHelper;
import org.nd4j.linalg.api.environment.Nd4jEnvironment;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.Nd4jCpu;
import org.nd4j.nativeblas.NativeOps;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * Opt-in switch for Deeplearning4j's CPU layer helpers on ND4J's CPU backend, and a report of which kernels run.
 *
 * <p>The helpers ({@code org.deeplearning4j.nn.layers.mkldnn.MKLDNN*Helper}) hand a layer's forward and backward pass
 * to one native libnd4j op ({@code conv2d}, {@code maxpool2d}/{@code avgpool2d}, {@code batchnorm}, {@code lrn} and
 * their {@code _bp} ops), which runs on oneDNN when ND4J's natives were built with it (the {@code -onednn}
 * classifiers). DL4J 1.0.0-M2.1 creates a layer helper in the constructor of each {@code ConvolutionLayer},
 * {@code SubsamplingLayer}, {@code BatchNormalization} and {@code LocalResponseNormalization}, i.e. during
 * {@code ComputationGraph.init()} / {@code MultiLayerNetwork.init()} (also when a model is restored or cloned),
 * only if the system property {@value #HELPERS_DISABLE_PROPERTY} reads {@code false} at that moment (DL4J's default
 * is {@code true}: no helpers) and the helper's {@code checkSupported()} passes, which needs the
 * {@link Nd4jCpu} bridge this module ships.
 *
 * <p>The switch is JVM-global (it changes the kernels of every network initialized afterwards, not only dtkd4j's),
 * so it is off unless asked for: adding dtkd-core to a project changes no kernel. Turn it on with
 * {@link #enable()} before the networks are initialized, or with the system property {@value #PROPERTY}{@code =true}
 * (or the environment variable {@value #ENV_VARIABLE}{@code =true}), which {@link FastKernelsAtStartup} reads while
 * ND4J starts, i.e. before any layer can exist. The {@code dtkd} command line and the example mains call
 * {@link #enableUnlessOptedOut()}: on by default, off with {@code -D}{@value #PROPERTY}{@code =false}.
 *
 * <p>Typical use: log {@link #status()} once, e.g. {@code log.info("Kernels: {}", FastKernels.status())}.
 */
public final class FastKernels {

    /** DL4J's switch for all platform layer helpers (oneDNN on CPU, cuDNN on CUDA); {@code true} disables them. */
    public static final String HELPERS_DISABLE_PROPERTY = DL4JSystemProperties.DISABLE_HELPER_PROPERTY;

    /** System property: {@code true} enables the fast kernels at ND4J start-up, {@code false} opts out of them. */
    public static final String PROPERTY = "dtkd.fastKernels";

    /** Environment variable with the meaning of {@value #PROPERTY}, read when the property is not set. */
    public static final String ENV_VARIABLE = "DTKD4J_FAST_KERNELS";

    /**
     * JavaCPP's limit on the process's resident set, read once when JavaCPP starts; while it is above 0, JavaCPP
     * measures the resident set on every native allocation (ND4J allocates one for the shape of every new array and
     * view), and calls the garbage collector when the limit is passed.
     */
    public static final String MAX_PHYSICAL_BYTES_PROPERTY = "org.bytedeco.javacpp.maxPhysicalBytes";

    /**
     * System property: how many threads ND4J's BLAS library (OpenBLAS on the CPU backend) may use for a matrix
     * product; {@link #enableUnlessOptedOut()} sets {@value #DEFAULT_BLAS_THREADS} unless this says otherwise.
     */
    public static final String BLAS_THREADS_PROPERTY = "dtkd.blasThreads";

    /**
     * The BLAS thread count of {@link #enableUnlessOptedOut()}. The matrix products of a CIFAR-style network are its
     * classifier's, a few hundred by a hundred: OpenBLAS's threads cost more to wake than they save there. Measured on a
     * 2-core AMD EPYC, {@code [64, 64] x [64, 100]} forward and weight-gradient products between other work:
     * 4.5-6.4 ms with 2 threads, 0.6 ms with 1; a resnet20 training step's median 6-35 ms lower (3 JVM pairs).
     */
    public static final int DEFAULT_BLAS_THREADS = 1;

    private static volatile boolean enabled;

    private FastKernels() {
    }

    /**
     * Lets DL4J create its CPU layer helpers for networks initialized from now on: marks the fast kernels enabled
     * (the {@link Nd4jCpu} bridge answers DL4J's check only then) and, on ND4J's CPU backend, sets
     * {@value #HELPERS_DISABLE_PROPERTY} to {@code false} unless it is already set. An explicit setting by the user
     * (either value, e.g. {@code -Dorg.eclipse.deeplearning4j.helpers.disable=true}) is left as it is, and so is the
     * property on other backends (DL4J 1.0.0-M2.1 ships no cuDNN helpers; switching them on there only logs
     * class-loading errors). Idempotent and thread-safe; does not touch layers that already exist.
     */
    public static void enable() {
        enabled = true;
        if (System.getProperty(HELPERS_DISABLE_PROPERTY) != null) {
            return;
        }
        if (HostMemory.CPU) {
            System.getProperties().putIfAbsent(HELPERS_DISABLE_PROPERTY, Boolean.FALSE.toString());
        }
    }

    /**
     * What applications that want the fast kernels by default (the {@code dtkd} command line, the example mains)
     * call first, before anything else starts ND4J: unless {@value #PROPERTY} (else {@value #ENV_VARIABLE}) is
     * {@code false}, sets {@value #MAX_PHYSICAL_BYTES_PROPERTY} to 0 unless the user set it (JavaCPP then skips its
     * resident-set measurement on every native allocation: 5% of a small student's training step, measured on
     * resnet20; JavaCPP's limit on the native memory it tracks, {@code maxBytes}, stays), then {@link #enable()}, then
     * on ND4J's CPU backend limits its BLAS library to {@value #BLAS_THREADS_PROPERTY} threads (default
     * {@value #DEFAULT_BLAS_THREADS}, see there). Called after JavaCPP started, the first setting has no effect;
     * {@link #status()} says which is in force.
     *
     * @throws IllegalArgumentException if the setting is neither {@code true} nor {@code false}, or
     *                                  {@value #BLAS_THREADS_PROPERTY} is not an integer &gt;= 1
     */
    public static void enableUnlessOptedOut() {
        if (!Boolean.FALSE.equals(setting())) {
            int blasThreads = blasThreads();
            System.getProperties().putIfAbsent(MAX_PHYSICAL_BYTES_PROPERTY, "0");
            enable();
            if (HostMemory.CPU) {
                Nd4j.factory().blas().setMaxThreads(blasThreads);
            }
        }
    }

    /** @return {@value #BLAS_THREADS_PROPERTY} if set, else {@value #DEFAULT_BLAS_THREADS} */
    static int blasThreads() {
        String value = System.getProperty(BLAS_THREADS_PROPERTY);
        if (value == null) {
            return DEFAULT_BLAS_THREADS;
        }
        int threads;
        try {
            threads = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            threads = 0;
        }
        if (threads >= 1) {
            return threads;
        }
        throw new IllegalArgumentException("system property " + BLAS_THREADS_PROPERTY + " must be an integer >= 1, "
                + "found " + value);
    }

    /**
     * Whether {@link #enable()} ran in this JVM (directly, through {@link #enableUnlessOptedOut()} or at start-up).
     *
     * @return {@code true} once the fast kernels are enabled
     */
    public static boolean isEnabled() {
        return enabled;
    }

    /**
     * The user's setting: {@value #PROPERTY} if set, else {@value #ENV_VARIABLE}, case and surrounding blanks
     * ignored.
     *
     * @return {@code TRUE} or {@code FALSE}, or {@code null} when neither is set
     * @throws IllegalArgumentException if the value is neither {@code true} nor {@code false}
     */
    static Boolean setting() {
        String property = System.getProperty(PROPERTY);
        String source = property != null ? "system property " + PROPERTY : "environment variable " + ENV_VARIABLE;
        String value = property != null ? property : System.getenv(ENV_VARIABLE);
        if (value == null) {
            return null;
        }
        String v = value.trim().toLowerCase(Locale.ROOT);
        if (!v.equals("true") && !v.equals("false")) {
            throw new IllegalArgumentException(source + " must be true or false, found " + value);
        }
        return Boolean.valueOf(v);
    }

    /**
     * Describes the kernels in use, on one line: the ND4J backend, the native library variant JavaCPP loaded
     * (e.g. {@code linux-x86_64-onednn}), on the CPU backend the instruction set that library was built for and
     * the best one this CPU supports, whether the library has oneDNN and uses it, and whether DL4J will create
     * layer helpers for networks initialized from now on (and if not, why). Initializes ND4J if it is not yet.
     *
     * @return for example {@code "ND4J backend CPU, natives linux-x86_64-onednn (built for generic x86-64, CPU has
     *     AVX2), oneDNN built in and in use, DL4J layer helpers ON"}, followed on the CPU backend by
     *     {@code ", BLAS threads 1"} and by {@code ", JavaCPP resident-set check off"} when
     *     {@value #MAX_PHYSICAL_BYTES_PROPERTY} is 0
     */
    public static String status() {
        String kernels = kernels();
        if (HostMemory.CPU) {
            kernels += ", BLAS threads " + Nd4j.factory().blas().getMaxThreads();
        }
        return Pointer.maxPhysicalBytes() > 0 ? kernels : kernels + ", JavaCPP resident-set check off";
    }

    private static String kernels() {
        String backend = Nd4j.getExecutioner().getEnvironmentInformation()
                .getProperty(Nd4jEnvironment.BACKEND_KEY, "unknown");
        StringBuilder status = new StringBuilder("ND4J backend ").append(backend)
                .append(", natives ").append(nativeVariant());
        boolean switchOn = !Boolean.parseBoolean(System.getProperty(HELPERS_DISABLE_PROPERTY,
                DL4JSystemProperties.HELPER_DISABLE_DEFAULT_VALUE));
        if (!HostMemory.CPU) {
            return status.append(", DL4J layer helper switch ").append(switchOn ? "on" : "off").toString();
        }
        NativeOps ops = NativeOpsHolder.getInstance().getDeviceNativeOps();
        status.append(" (built for ").append(instructionSet(ops.binaryLevel()))
                .append(", CPU has ").append(instructionSet(ops.optimalLevel())).append(')');
        boolean builtIn = Nd4j.getBackend().buildInfo().contains("HAVE_ONEDNN");
        boolean inUse = Nd4jCpu.Environment.getInstance().isUseOneDnn();
        status.append(builtIn ? (inUse ? ", oneDNN built in and in use" : ", oneDNN built in, switched off")
                : ", no oneDNN in this build");
        status.append(", DL4J layer helpers ");
        if (!enabled) {
            return status.append("OFF (fast kernels not enabled: FastKernels.enable() or -D").append(PROPERTY)
                    .append("=true)").toString();
        }
        if (!switchOn) {
            return status.append("OFF (").append(HELPERS_DISABLE_PROPERTY).append(" is not false)").toString();
        }
        if (!Nd4j.getEnvironment().helpersAllowed()) {
            return status.append("OFF (ND4J helpers disallowed)").toString();
        }
        if (!inUse) {
            return status.append("OFF (oneDNN switched off)").toString();
        }
        return status.append(BaseMKLDNNHelper.mklDnnEnabled() ? "ON" : "OFF (DL4J's helper check failed)").toString();
    }

    /** Directory name JavaCPP loaded ND4J's JNI library from (the native classifier), else its path. */
    private static String nativeVariant() {
        for (Map.Entry<String, String> library : Loader.getLoadedLibraries().entrySet()) {
            if (library.getKey().startsWith("jnind4j") && library.getValue() != null) {
                Path parent = Path.of(library.getValue()).getParent();
                String dir = parent == null ? "" : String.valueOf(parent.getFileName());
                return dir.startsWith(Loader.getPlatform()) ? dir : library.getValue();
            }
        }
        return "unknown (no ND4J library loaded by JavaCPP)";
    }

    /** Names libnd4j's CPU feature levels ({@code binaryLevel()}, {@code optimalLevel()}); 0: not detected. */
    private static String instructionSet(int level) {
        return switch (level) {
            case 3 -> "AVX512";
            case 2 -> "AVX2";
            case 1 -> "generic x86-64";
            default -> "undetected";
        };
    }
}
