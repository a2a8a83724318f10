package io.p2psync.changes;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.json.JsonMapper;

/**
 * What a tracked row as it stands now means against its last sealed (or applied) state: the one comparison
 * behind both the sealer and the reconciliation scan (docs/storage.md, "Capture").
 *
 * <table>
 *   <caption>row and state to change</caption>
 *   <tr><th>row now</th><th>state</th><th>change</th></tr>
 *   <tr><td>present</td><td>none, or deleted</td><td>INSERT of the whole row</td></tr>
 *   <tr><td>present</td><td>live, and some column differs</td><td>UPDATE of the whole row; changed columns
 *       are those that differ or are new</td></tr>
 *   <tr><td>present</td><td>live, nothing differs</td><td>none</td></tr>
 *   <tr><td>absent</td><td>live</td><td>DELETE</td></tr>
 *   <tr><td>absent</td><td>none, or deleted</td><td>none</td></tr>
 * </table>
 *
 * <p>A column the state knows but the row lacks (dropped by the app) is no change: every device drops it with
 * its own migration.
 */
final class RowDifference {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private RowDifference() {
    }

    /**
     * @param t           the table as tracked now: its defaults (per column, the value a row holds when nobody
     *                    wrote it: a column the state does not know yet (the app just added it) that still holds
     *                    its default was not written here, so it does not count as changed; it would otherwise
     *                    carry the default over a value another device wrote into the new column), its columns
     *                    and what became of its former ones (to tell a renamed column from an added one)
     * @param row         the row now, columns in table order; null if there is no row with this key
     * @param state       the row's state; null for a row never seen
     * @param lastWritten for a live state without {@code column_hashes} only: the row as the entry that wrote
     *                    the state left it, or null if unknown (then every column counts as changed)
     * @return the change to seal, empty if there is nothing to seal
     */
    static Optional<RowChange> of(TrackedTable t, String recordId, Map<String, Object> row, RowState state,
                                  Map<String, Object> lastWritten) {
        return of(t, recordId, row, state, lastWritten, null);
    }

    /**
     * As above, with the row's {@link RowHashes#hashes} when the caller made them already (the sealer stores
     * them in the row's state), null to have them made here if needed.
     */
    static Optional<RowChange> of(TrackedTable t, String recordId, Map<String, Object> row, RowState state,
                                  Map<String, Object> lastWritten, Map<String, String> hashes) {
        return of(t, recordId, row, state, lastWritten, hashes, false);
    }

    /**
     * As above; with {@code unsureByValue} (the reconciliation scan), a new column that holds exactly what an
     * unsure drop's column held when the row was last sealed counts as that column ({@link #formerNames}); without
     * it (a write the triggers saw), only where some other column changed too.
     */
    static Optional<RowChange> of(TrackedTable t, String recordId, Map<String, Object> row, RowState state,
                                  Map<String, Object> lastWritten, Map<String, String> hashes, boolean unsureByValue) {
        boolean live = state != null && !state.deleted();
        if (row == null) {
            return live ? Optional.of(new RowChange(t.name(), recordId, Operation.DELETE, Kind.EDIT, null, null))
                    : Optional.empty();
        }
        if (!live) {
            return Optional.of(new RowChange(t.name(), recordId, Operation.INSERT, Kind.EDIT, SqlValues.encodeRow(row),
                    null));
        }
        Set<String> changed = state.columnHashes() != null
                ? changedFromHashes(t, row, RowHashes.parse(state.columnHashes()),
                        hashes != null ? hashes : RowHashes.hashes(row), unsureByValue)
                : changedFrom(lastWritten, row);
        if (changed.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new RowChange(t.name(), recordId, Operation.UPDATE, Kind.EDIT, SqlValues.encodeRow(row),
                JSON.writeValueAsString(new ArrayList<>(changed))));
    }

    /**
     * The columns whose hash differs from the one the state recorded under the column's name, or under its former
     * name; a column the state knows by neither name counts as changed unless it holds its default. An unreadable
     * record ({@code before} null) counts every column as changed but those holding their default.
     */
    private static Set<String> changedFromHashes(TrackedTable t, Map<String, Object> row, Map<String, String> before,
                                                 Map<String, String> now, boolean unsureByValue) {
        if (t.formerColumns().unsure().isEmpty()) {
            return differing(t, row, before, now, false); // the usual case: no unsure drop to match by value
        }
        Set<String> byValue = differing(t, row, before, now, true);
        // On the capture path (a write the triggers saw) the value match of an unsure drop holds only where the row
        // changed otherwise too: an edit of another column before the scan came to the row then does not send the
        // copied value anew, and the row's state is kept under the new names once sealed. A write that changed
        // nothing else is a write of the new column itself, and travels even when it equals the gone column's value.
        return unsureByValue || !byValue.isEmpty() ? byValue : differing(t, row, before, now, false);
    }

    /** The columns that differ, an unsure drop's values matched by value or not ({@link #formerNames}). */
    private static Set<String> differing(TrackedTable t, Map<String, Object> row, Map<String, String> before,
                                         Map<String, String> now, boolean unsureByValue) {
        Map<String, String> formerNames = before == null || before.keySet().containsAll(now.keySet()) ? Map.of()
                : formerNames(t, before, row, now, unsureByValue);
        Set<String> changed = new LinkedHashSet<>();
        now.forEach((column, hash) -> {
            String known = before == null ? null : before.containsKey(column) ? column : formerNames.get(column);
            if (known != null) {
                if (!hash.equals(before.get(known))) {
                    changed.add(column);
                }
            } else if (!atDefault(t, row, column)) {
                changed.add(column);
            }
        });
        return changed;
    }

    private static boolean atDefault(TrackedTable t, Map<String, Object> row, String column) {
        return t.defaults().containsKey(column) && SqlValues.same(row.get(column), t.defaults().get(column));
    }

    /**
     * True if the row's state records a value under the name of an unsure drop that the row no longer has: after
     * the scan found nothing to seal in such a row, its state is kept under the columns' names of now
     * ({@link ReconciliationScan}), so that later writes are compared with the new column, not matched by value
     * against the gone one.
     */
    static boolean namesAnUnsureDrop(TrackedTable t, Map<String, Object> row, RowState state) {
        if (row == null || state == null || state.deleted() || state.columnHashes() == null
                || t.formerColumns().unsure().isEmpty()) {
            return false;
        }
        Map<String, String> before = RowHashes.parse(state.columnHashes());
        return before != null && t.formerColumns().unsure().stream()
                .anyMatch(gone -> before.containsKey(gone) && !row.containsKey(gone));
    }

    /**
     * For each column new to the state that is a column the state knows by another name, that name. Without this,
     * every row touched after a RENAME COLUMN would count the renamed column as changed. A column the node saw
     * renamed is followed to its new name; one it saw dropped for sure is nobody's former name, even when a column
     * added in its place holds the same value (a 0/1 flag, say). A column the node still counts among the table's
     * own has not been seen to go yet: nobody's former name either, so a write is never taken for a rename (at worst
     * a renamed column is sent once more). A column gone before this node kept the table's history is taken as
     * renamed to a new column that holds the same value, as nothing else can tell. So is an unsure drop (the app
     * re-created the table, or nothing showed whether a column alike took its values), row by row, in the
     * reconciliation scan, and for a write the triggers saw where the row changed otherwise too ({@code
     * unsureByValue}, {@link #changedFromHashes}): otherwise every row of a table re-created to rename a column
     * would be sealed anew with the value it already held, stamped now, and that write would replace edits other
     * devices made meanwhile (TableRebuiltByTheAppTest). The scan then keeps the row's state under the new names, so
     * a later write the triggers see is compared with the new column and travels, even one that sets it to what the
     * gone column held. A new column at its default takes no gone column: it counts as unchanged anyway, and taking
     * one would leave the column that really holds its values unmatched.
     */
    private static Map<String, String> formerNames(TrackedTable t, Map<String, String> before, Map<String, Object> row,
                                                   Map<String, String> now, boolean unsureByValue) {
        Map<String, String> formerNames = new HashMap<>();
        List<String> untold = new ArrayList<>();
        for (String gone : before.keySet()) {
            if (row.containsKey(gone)) {
                continue;
            }
            String to = t.formerColumns().renamedTo().get(gone);
            if (to != null) {
                if (row.containsKey(to) && !before.containsKey(to)) {
                    formerNames.putIfAbsent(to, gone);
                }
            } else if (!t.columns().contains(gone)
                    && (!t.formerColumns().knows(gone) || unsureByValue && t.formerColumns().unsure().contains(gone))) {
                untold.add(gone);
            }
        }
        for (String column : now.keySet()) {
            if (untold.isEmpty()) {
                break;
            }
            // a column at its default is no write whatever it was; it must not take a gone column a later one holds
            if (!before.containsKey(column) && !formerNames.containsKey(column) && !atDefault(t, row, column)) {
                for (String gone : untold) {
                    if (before.get(gone).equals(now.get(column))) {
                        formerNames.put(column, gone);
                        untold.remove(gone);
                        break;
                    }
                }
            }
        }
        return formerNames;
    }

    private static Set<String> changedFrom(Map<String, Object> before, Map<String, Object> row) {
        Set<String> changed = new LinkedHashSet<>();
        row.forEach((column, value) -> {
            if (before == null || !before.containsKey(column) || !SqlValues.same(before.get(column), value)) {
                changed.add(column);
            }
        });
        return changed;
    }

    /** The key values of a record id, checked against the table's key length. */
    static List<Object> keyOf(TrackedTable t, String recordId) {
        List<Object> key = SqlValues.decodeKey(recordId);
        if (key.size() != t.primaryKey().size()) {
            throw new IllegalArgumentException("record id " + recordId + " of " + t.name() + " needs "
                    + t.primaryKey().size() + " values");
        }
        return key;
    }
}
