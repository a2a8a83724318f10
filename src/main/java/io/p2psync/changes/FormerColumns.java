package io.p2psync.changes;

import java.util.Map;
import java.util.Set;

/**
 * What became of the columns a tracked table no longer has, as this node saw them go ({@link ColumnHistory}):
 * a row's state still names a column by the name it had when the row was last sealed or written here.
 *
 * @param renamedTo a former name to the column that holds its values now (a chain of renames already followed)
 * @param dropped   former names whose column was dropped (or dropped, with another column added in its place)
 * @param unsure    those of {@code dropped} that went while a column declared alike came (the last column
 *                  renamed with no row to show it, a table re-created): perhaps renamed, so a value written under
 *                  such a name waits until a peer's history says what became of it, and is not discarded
 */
public record FormerColumns(Map<String, String> renamedTo, Set<String> dropped, Set<String> unsure) {

    public static final FormerColumns NONE = new FormerColumns(Map.of(), Set.of());

    public FormerColumns {
        renamedTo = Map.copyOf(renamedTo);
        dropped = Set.copyOf(dropped);
        unsure = Set.copyOf(unsure);
        if (!dropped.containsAll(unsure)) {
            throw new IllegalArgumentException("an unsure drop is a drop: " + unsure + " not all in " + dropped);
        }
    }

    /** Former columns all of whose drops are sure. */
    public FormerColumns(Map<String, String> renamedTo, Set<String> dropped) {
        this(renamedTo, dropped, Set.of());
    }

    public boolean isEmpty() {
        return renamedTo.isEmpty() && dropped.isEmpty();
    }

    /**
     * What this node is sure of, as it tells its peers: its unsure drops left out. Sent as drops they would settle a
     * peer's own unsure drop of the name, on no better knowledge than the peer's, and a later sure rename from a
     * device that knows could then no longer be taken in.
     */
    public FormerColumns sure() {
        if (unsure.isEmpty()) {
            return this;
        }
        Set<String> sureDrops = new java.util.HashSet<>(dropped);
        sureDrops.removeAll(unsure);
        return new FormerColumns(renamedTo, sureDrops);
    }

    /** True if {@code column} was dropped with nothing alike added: its values go with it, nothing waits for them. */
    boolean surelyDropped(String column) {
        return dropped.contains(column) && !unsure.contains(column);
    }

    /** True if this node saw {@code column} go, renamed or dropped. */
    boolean knows(String column) {
        return renamedTo.containsKey(column) || dropped.contains(column);
    }
}
