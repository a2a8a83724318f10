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
    private final HeldEntries held;

    FormerColumnDeclarations(SchemaFollower follower, HeldEntries held) {
        this.follower = follower;
        this.held = held;
    }

    /**
     * Records it and retries what was held for the name ({@link SchemaFollower#declare}).
     *
     * @param renamedTo the column it became, or null if it was dropped
     * @return the table's former columns now
     * @throws IllegalArgumentException if the table is not tracked, has the column, lacks {@code renamedTo}, or
     *                                  nothing here knows or waits for {@code column}
     * @throws IllegalStateException    if this node has a sure record of the name that says otherwise
     */
    public FormerColumns declare(String table, String column, String renamedTo) {
        return follower.declare(table, column, renamedTo, name -> held.waitsForColumn(table, name));
    }
}
