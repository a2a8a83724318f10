package io.p2psync.changes;

import org.springframework.stereotype.Component;

/**
 * What a person says became of a column a tracked table no longer has (or never had): renamed to a column it has,
 * or dropped ({@code POST /sync/former-columns}). For what capture and peers cannot settle: a device set up after
 * a drop, and an unsure drop no peer names (docs/storage.md, "Schema changes").
 */
@Component
public class FormerColumnDeclarations {

    private final SchemaFollower follower;
    private final TrackedTables tables;
    private final HeldEntries held;

    FormerColumnDeclarations(SchemaFollower follower, TrackedTables tables, HeldEntries held) {
        this.follower = follower;
        this.tables = tables;
        this.held = held;
    }

    /**
     * Records it and retries what was held for the name ({@link SchemaFollower#declare}). Only for a name this node
     * has a record of, or that a held entry waits for: a misspelt name, recorded as dropped, would discard a value
     * the app's migration later brings under the right one.
     *
     * @param renamedTo the column it became, or null if it was dropped
     * @return the table's former columns now
     * @throws IllegalArgumentException if the table is not tracked, has the column, lacks {@code renamedTo}, or
     *                                  nothing here knows or waits for {@code column}
     * @throws IllegalStateException    if this node has a sure record of the name that says otherwise
     */
    public FormerColumns declare(String table, String column, String renamedTo) {
        TrackedTable t = tables.get(table);
        if (t != null && !t.formerColumns().knows(column) && !t.columns().stream().anyMatch(column::equalsIgnoreCase)
                && !held.waitsForColumn(table, column)) {
            throw new IllegalArgumentException("nothing here waits for a column '" + column + "' of " + table
                    + ", and this device never saw one go: check the name (exactly as GET /sync/held and GET "
                    + "/sync/former-columns show it)");
        }
        return follower.declare(table, column, renamedTo);
    }
}
