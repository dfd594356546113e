/**
 * Runnable examples of distillation in Java, each a {@code main} that calls {@code run(args)} and prints the
 * {@link org.dtkd4j.examples.distill.DistillationResult}'s one line (the teacher's and the student's test top-1);
 * tests call {@code run} at tiny scale.
 *
 * <ul>
 *   <li>{@link org.dtkd4j.examples.distill.ZooTeacherDistillation}: a zoo teacher with PyTorch weights (its ONNX
 *   export) into a zoo student, with the engine ({@link org.dtkd4j.core.engine.Distiller}).</li>
 *   <li>{@link org.dtkd4j.examples.distill.ImportedTeacherDistillation}: an imported ONNX, Keras or DL4J teacher of
 *   any architecture into a zoo student, with the engine.</li>
 *   <li>{@link org.dtkd4j.examples.distill.PlainApiDistillation}: plain DL4J, no engine: a ComputationGraph teacher,
 *   a student whose output layer carries {@link org.dtkd4j.core.dl4j.DistillationLossFunction}, and {@code fit}
 *   (the code of the README's "Distilling in Java").</li>
 * </ul>
 * Data are the CIFAR-10/100 binary files ({@link org.dtkd4j.core.data.Datasets}); nothing is downloaded. Bad usage
 * or input gives a one-line {@link java.lang.IllegalArgumentException} naming the option and the value found; the
 * mains print it with the usage and exit with code 2.
 */
package org.dtkd4j.examples.distill;
