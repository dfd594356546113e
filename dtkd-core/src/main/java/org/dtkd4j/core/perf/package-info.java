/**
 * Fast kernels on request: makes Deeplearning4j 1.0.0-M2.1 run its native (oneDNN) layer helpers on ND4J's CPU
 * backend once enabled, and reports which kernels run.
 *
 * <h2>Why DL4J M2.1 is slow out of the box</h2>
 * DL4J can hand convolution, subsampling (pooling), batch normalization and local response normalization to single
 * native libnd4j ops through layer helpers ({@code org.deeplearning4j.nn.layers.mkldnn.MKLDNNConvHelper},
 * {@code MKLDNNSubsamplingHelper}, {@code MKLDNNBatchNormHelper}, {@code MKLDNNLocalResponseNormalizationHelper});
 * with the {@code -onednn} natives of {@code nd4j-native} those ops run on oneDNN. Without helpers the layers run
 * DL4J's Java-side im2col + gemm code, several times slower. In 1.0.0-M2.1 the helpers never run, for two
 * independent reasons; both must be fixed:
 * <ol>
 *   <li>{@code org.deeplearning4j.nn.layers.HelperUtils.createHelper}, called from each layer's constructor
 *       ({@code initializeHelper()}, i.e. at {@code init()}, restore or clone time), reads the system property
 *       {@code org.eclipse.deeplearning4j.helpers.disable} on every call (no caching) with default {@code true}
 *       and returns no helper unless it reads {@code false}.</li>
 *   <li>Each helper's {@code checkSupported()} calls {@code BaseMKLDNNHelper.mklDnnEnabled()}, which requires the
 *       {@code CPU} backend and {@code Nd4j.getEnvironment().helpersAllowed()}, then reflects on
 *       {@code org.nd4j.nativeblas.Nd4jCpu$Environment}: static {@code getInstance()}, instance
 *       {@code boolean isUseMKLDNN()}. ND4J M2.1 renamed these to
 *       {@code org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu$Environment.isUseONEDNN()}, so the lookup fails,
 *       the failure is latched in a static flag for the life of the JVM, and every helper is dropped.</li>
 * </ol>
 *
 * <h2>The fix, opt-in</h2>
 * The helper switch is JVM-global: it changes the kernels of every network initialized afterwards, the user's own
 * too. Adding dtkd-core to a project therefore changes nothing until the user opts in.
 * <ul>
 *   <li>{@link org.nd4j.nativeblas.Nd4jCpu} (shipped in this module, in ND4J's package) restores the old class and
 *       method and forwards, by reflection, to the new binding once the fast kernels are enabled; before that it
 *       answers {@code false}, so DL4J keeps its stock kernels even with {@code helpers.disable=false}. It answers
 *       {@code false} when the CPU backend is absent, so dtkd-core needs no backend at compile time.</li>
 *   <li>{@link org.dtkd4j.core.perf.FastKernels#enable()} enables them and sets the property to {@code false} on the
 *       CPU backend unless the user set it (either value).</li>
 *   <li>{@link org.dtkd4j.core.perf.FastKernelsAtStartup}, an ND4J {@code EnvironmentalAction} service, calls
 *       {@code enable()} while ND4J initializes its backend, i.e. before any layer can exist, when the system
 *       property {@code dtkd.fastKernels} (else the environment variable {@code DTKD4J_FAST_KERNELS}) is
 *       {@code true}: fast kernels for a whole program with no code change.</li>
 *   <li>The {@code dtkd} command line and the example mains call
 *       {@link org.dtkd4j.core.perf.FastKernels#enableUnlessOptedOut()}: on unless that setting is
 *       {@code false}.</li>
 * </ul>
 * The user's explicit choice always wins: {@code -Dorg.eclipse.deeplearning4j.helpers.disable=true} switches the
 * helpers off whatever else is set. Layers created before the fast kernels are enabled keep running without helpers.
 *
 * <h2>What changes numerically</h2>
 * The helpers compute the same functions with a different summation order; outputs and gradients agree with the
 * built-in path to float32 rounding (tested in {@code OneDnnHelpersTest}, NCHW and NHWC). Only {@code FLOAT} layers
 * use them; other data types silently keep the built-in path.
 *
 * <h2>Native variants and CPUs</h2>
 * The project's default natives are {@code nd4j-native} with the classifier {@code linux-x86_64-onednn} (the
 * {@code nd4j.native.classifier} property of the parent pom): libnd4j's own kernels built for any x86-64, plus
 * oneDNN, which picks AVX2 or AVX-512 code itself at run time. JavaCPP does not look at the CPU: among the
 * {@code nd4j-native} classifier jars on the classpath it loads the first found in the reverse order of the preset's
 * extension list, so {@code -onednn-avx2} would win over {@code -onednn} and over the generic jar, and the system
 * property {@code org.bytedeco.javacpp.platform.extension} (e.g. {@code -onednn}; empty for the generic jar) picks one
 * explicitly. A build for an instruction set the CPU lacks ({@code -avx2}, {@code -avx512}) makes ND4J's
 * {@code CpuNDArrayFactory} call {@code System.exit(1)} (if the library has not already died of an illegal
 * instruction). On natives without oneDNN the helpers still run, on libnd4j's own kernels.
 *
 * <h2>Checking it</h2>
 * Log {@link org.dtkd4j.core.perf.FastKernels#status()} once; it names the backend, the native classifier JavaCPP
 * actually loaded, the instruction set of that build and of the CPU, whether oneDNN is built in and used, and
 * whether DL4J layer helpers are on, and whether JavaCPP's resident-set check is off.
 *
 * <h2>Past the helpers</h2>
 * <ul>
 *   <li>{@link org.dtkd4j.core.perf.FusedBatchNorm}: a BatchNorm layer's training forward and backward pass, each one
 *       fused loop over the activations in Java, in place of DL4J's helper (which reduces the batch statistics with
 *       separate ND4J ops before libnd4j's {@code batchnorm}, and runs the slow {@code batchnorm_bp}), applying the
 *       ReLU that alone takes its output; the engine installs it in the student
 *       ({@code Distiller.Builder.fusedBatchNorm}).</li>
 *   <li>{@link org.dtkd4j.core.perf.MaskReLU}: a ReLU activation layer without DL4J's copies of its input, whose
 *       backward pass is the gradient times the input's 0/1 mask (DL4J's numbers).</li>
 *   <li>{@link org.dtkd4j.core.perf.ResidualAdd}: a two-input sum as one op into its output, where DL4J copies the
 *       first input and adds the second in place (DL4J's numbers).</li>
 *   <li>{@link org.dtkd4j.core.perf.GraphKernels} puts those two and the fused BatchNorm into the engine's student
 *       and every copy of it that trains, and the first two into every graph teacher's frozen copy.</li>
 *   <li>{@link org.dtkd4j.core.perf.ForwardCache}: convolution activations kept for backprop.</li>
 *   <li>{@link org.dtkd4j.core.perf.NativeMemory}: whether glibc's {@code malloc} keeps the native memory ND4J frees
 *       (set by environment variables before the JVM starts; the {@code dtkd} launcher sets them), without which a
 *       training step faults its freed memory in again every step.</li>
 *   <li>{@link org.dtkd4j.core.perf.HostMemory}: when Java loops may read and write an ND4J array's host memory
 *       directly (the optimiser's one-pass arithmetic, the loss adapter's bulk row reads and gradient writes).</li>
 *   <li>{@link org.dtkd4j.core.perf.VectorApi}: whether dtkd4j's loops written with the JDK's vector API run (the
 *       losses' and the fused BatchNorm's; each has a scalar form with the same bits).</li>
 *   <li>{@link org.dtkd4j.core.perf.FastKernels#enableUnlessOptedOut()} also turns off JavaCPP's resident-set
 *       measurement on every native allocation.</li>
 * </ul>
 */
package org.dtkd4j.core.perf;
