package org.dtkd4j.spark;

import org.dtkd4j.core.teacher.Teacher;

import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The teachers open in this JVM (an executor, or the driver in local mode), by source key. A {@link Teacher} is not
 * thread-safe, and an executor runs one task per core at once: a task borrows a teacher for its partition and gives it
 * back, so a source is opened at most once per concurrently running task and then reused by every later task of the
 * executor.
 */
final class ExecutorTeachers {

    private static final Map<String, Queue<Teacher>> IDLE = new ConcurrentHashMap<>();

    private ExecutorTeachers() {
    }

    /**
     * @param key    identifies the source across serialization (the same key always means the same teacher)
     * @param source opens a teacher when none is idle
     * @return an idle or newly opened teacher; give it back with {@link #release}
     */
    static Teacher borrow(String key, TeacherSource source) {
        Teacher t = IDLE.computeIfAbsent(key, k -> new ConcurrentLinkedQueue<>()).poll();
        return t != null ? t : source.open();
    }

    /**
     * @param key     the key it was borrowed with
     * @param teacher the borrowed teacher, idle again
     */
    static void release(String key, Teacher teacher) {
        IDLE.computeIfAbsent(key, k -> new ConcurrentLinkedQueue<>()).add(teacher);
    }
}
