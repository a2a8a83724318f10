package io.p2psync.changes;

import java.util.Map;
import java.util.Set;

/**
 * What became of the columns a tracked table no longer has, as this node saw them go ({@link ColumnHistory}):
 * a row's state still names a column by the name it had when the row was last sealed or written here.
 *
 * @param renamedTo a former name to the column that holds its values now (a chain of renames already followed)
 * @param dropped   former names whose column was dropped (or dropped, with another column added in its place)
 */
public record FormerColumns(Map<String, String> renamedTo, Set<String> dropped) {

    public static final FormerColumns NONE = new FormerColumns(Map.of(), Set.of());

    public FormerColumns {
        renamedTo = Map.copyOf(renamedTo);
        dropped = Set.copyOf(dropped);
    }

    public boolean isEmpty() {
        return renamedTo.isEmpty() && dropped.isEmpty();
    }

    /** True if this node saw {@code column} go, renamed or dropped. */
    boolean knows(String column) {
        return renamedTo.containsKey(column) || dropped.contains(column);
    }
}
