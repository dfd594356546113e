package org.dtkd4j.core.engine;

import org.dtkd4j.core.config.Method;

import java.nio.file.Path;

/**
 * The outcome of a training run, also written to {@code summary.json} in the run directory.
 *
 * @param runDirectory  where the run's files are
 * @param method        the training method
 * @param epochs        epochs completed
 * @param bestTop1      best test top-1 over all epochs (what the reference reports)
 * @param bestEpoch     epoch of {@code bestTop1} (reference numbering, from 1)
 * @param lastTop1      test top-1 after the last epoch
 * @param lastTop5      test top-5 after the last epoch
 * @param teacherTop1   the teacher's test top-1, NaN without a teacher
 * @param teacherTop5   the teacher's test top-5, NaN without a teacher
 * @param trainSeconds  wall time spent in the epochs of this process (a resumed run counts only its own)
 */
public record RunSummary(Path runDirectory, Method method, int epochs, double bestTop1, int bestEpoch,
                         double lastTop1, double lastTop5, double teacherTop1, double teacherTop5,
                         double trainSeconds) {
}
