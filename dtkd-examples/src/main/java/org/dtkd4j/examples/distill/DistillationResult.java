package org.dtkd4j.examples.distill;

import org.dtkd4j.core.config.Method;

import java.util.Locale;

/**
 * What an example reports: the teacher's and the distilled student's test top-1.
 *
 * @param teacher     the teacher's description ({@link org.dtkd4j.core.teacher.Teacher#describe()})
 * @param student     the student's name
 * @param method      the distillation method the student was trained with
 * @param epochs      student training epochs
 * @param teacherTop1 the teacher's top-1 accuracy on the test split, in [0, 1]
 * @param studentTop1 the student's top-1 accuracy on the test split after the last epoch, in [0, 1]
 */
public record DistillationResult(String teacher, String student, Method method, int epochs, double teacherTop1,
                                 double studentTop1) {

    /** Validates every component; messages name the component and the value found. */
    public DistillationResult {
        if (teacher == null || teacher.isBlank() || student == null || student.isBlank()) {
            throw new IllegalArgumentException("teacher and student must be named, found teacher " + teacher
                    + " and student " + student);
        }
        if (method == null || !method.usesTeacher()) {
            throw new IllegalArgumentException("method must be a distillation method, found " + method);
        }
        ExampleArgs.atLeast("epochs", 1, epochs);
        accuracy("teacherTop1", teacherTop1);
        accuracy("studentTop1", studentTop1);
    }

    private static void accuracy(String name, double value) {
        if (!(value >= 0 && value <= 1)) {
            throw new IllegalArgumentException(name + " must be in [0, 1], found " + value);
        }
    }

    /**
     * @return one line, e.g. {@code teacher resnet32x4 zoo teacher from resnet32x4.onnx: test top-1 79.42% |
     *         student resnet8x4 (DTKD, 240 epochs): test top-1 75.01%}
     */
    public String line() {
        return String.format(Locale.ROOT, "teacher %s: test top-1 %.2f%% | student %s (%s, %d epoch%s): test top-1 "
                + "%.2f%%", teacher, 100 * teacherTop1, student, method, epochs, epochs == 1 ? "" : "s",
                100 * studentTop1);
    }
}
