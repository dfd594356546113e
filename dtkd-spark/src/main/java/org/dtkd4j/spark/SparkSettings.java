package org.dtkd4j.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.dtkd4j.core.engine.AtomicFiles;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The Spark settings of a run, kept in its run directory ({@value #FILE}) so that a resumed run averages as the
 * original did.
 *
 * @param workers   Spark tasks training in parallel per round, &gt;= 1
 * @param averaging steps of each worker between two averagings, &gt;= 1
 */
record SparkSettings(int workers, int averaging) {

    /** The file in the run directory. */
    static final String FILE = "spark.json";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Validates the counts. */
    SparkSettings {
        if (workers < 1 || averaging < 1) {
            throw new IllegalArgumentException("--spark-workers and --averaging must be >= 1, found " + workers
                    + " and " + averaging);
        }
    }

    /**
     * @param runDir the run directory
     * @return these settings, written to its {@value #FILE}
     */
    SparkSettings write(Path runDir) {
        AtomicFiles.writeString(runDir.resolve(FILE), "{\"workers\": " + workers + ", \"averaging\": " + averaging
                + "}\n");
        return this;
    }

    /**
     * @param runDir a run directory written with {@link #write}
     * @return its settings
     * @throws IllegalArgumentException if the file is missing or malformed
     */
    static SparkSettings read(Path runDir) {
        Path file = runDir.resolve(FILE);
        try {
            JsonNode o = JSON.readTree(file.toFile());
            if (o == null || !o.has("workers") || !o.has("averaging")) {
                throw new IllegalArgumentException("expected {\"workers\": N, \"averaging\": K}, found " + o);
            }
            return new SparkSettings(o.get("workers").asInt(), o.get("averaging").asInt());
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("the Spark settings " + file + " of the run cannot be read: "
                    + e.getMessage(), e);
        }
    }
}
