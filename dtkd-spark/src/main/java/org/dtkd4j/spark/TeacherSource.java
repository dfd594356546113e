package org.dtkd4j.spark;

import org.dtkd4j.core.teacher.Teacher;

import java.io.Serializable;

/**
 * How an executor gets the teacher: a serializable recipe that opens it there (the {@link Teacher} itself, a
 * native network, does not travel). {@link SparkDistillation} opens each source at most once per executor thread
 * and keeps it open for the executor's lifetime ({@link ExecutorTeachers}).
 *
 * <p>Implementations: {@link SparkTeachers#fromFile} (the teacher file broadcast once to every executor), or any
 * serializable lambda, e.g. {@code () -> GraphTeacher.of(CifarZoo.build("resnet32", spec))}, which must open the same
 * teacher on every executor.
 */
@FunctionalInterface
public interface TeacherSource extends Serializable {

    /**
     * Opens the teacher (on an executor).
     *
     * @return the teacher, open
     */
    Teacher open();
}
