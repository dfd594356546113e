/**
 * The numbers of a seeded accuracy study ({@code dtkd study}): each run's test top-1 per epoch and mean
 * temperatures read from its {@code metrics.csv} ({@link org.dtkd4j.examples.study.RunResult}), the statistics over
 * seeds, mean, sample standard deviation and the paired 95% t-interval of a difference between methods
 * ({@link org.dtkd4j.examples.study.SeedStatistics}), and the table of one row per method
 * ({@link org.dtkd4j.examples.study.StudyTable}).
 */
package org.dtkd4j.examples.study;
