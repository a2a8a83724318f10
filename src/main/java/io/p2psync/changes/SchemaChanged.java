package io.p2psync.changes;

import java.util.Set;

/**
 * Published (as a Spring application event) after capture started following a schema change of tracked
 * tables: a column added, dropped or renamed, or a table listed in {@code p2psync.tables} that now exists.
 * Entries held for a missing table or column are retried on it.
 *
 * @param tables the tables whose schema changed; never empty
 */
public record SchemaChanged(Set<String> tables) {

    public SchemaChanged {
        tables = Set.copyOf(tables);
        if (tables.isEmpty()) {
            throw new IllegalArgumentException("a schema change names at least one table");
        }
    }
}
