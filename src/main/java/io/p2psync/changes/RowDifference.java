package io.p2psync.changes;

import java.util.ArrayList;
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
     * @param row         the row now, columns in table order; null if there is no row with this key
     * @param state       the row's state; null for a row never seen
     * @param lastWritten for a live state without {@code column_hashes} only: the row as the entry that wrote
     *                    the state left it, or null if unknown (then every column counts as changed)
     * @param defaults    per column, the value a row holds when nobody wrote it ({@link TrackedTable#defaults()}):
     *                    a column the state does not know yet (the app just added it) that still holds its
     *                    default was not written here, so it does not count as changed (it would otherwise
     *                    carry the default over a value another device wrote into the new column)
     * @return the change to seal, empty if there is nothing to seal
     */
    static Optional<RowChange> of(String table, String recordId, Map<String, Object> row, RowState state,
                                  Map<String, Object> lastWritten, Map<String, Object> defaults) {
        return of(table, recordId, row, state, lastWritten, defaults, null);
    }

    /**
     * As above, with the row's {@link RowHashes#hashes} when the caller made them already (the sealer stores
     * them in the row's state), null to have them made here if needed.
     */
    static Optional<RowChange> of(String table, String recordId, Map<String, Object> row, RowState state,
                                  Map<String, Object> lastWritten, Map<String, Object> defaults,
                                  Map<String, String> hashes) {
        boolean live = state != null && !state.deleted();
        if (row == null) {
            return live ? Optional.of(new RowChange(table, recordId, Operation.DELETE, Kind.EDIT, null, null))
                    : Optional.empty();
        }
        if (!live) {
            return Optional.of(new RowChange(table, recordId, Operation.INSERT, Kind.EDIT, SqlValues.encodeRow(row), null));
        }
        // the stored hashes are read once; a null or unreadable record counts every column as changed
        boolean hashed = state.columnHashes() != null;
        Map<String, String> before = hashed ? RowHashes.parse(state.columnHashes()) : null;
        Map<String, String> now = hashed ? hashes != null ? hashes : RowHashes.hashes(row) : null;
        Set<String> changed = hashed ? withoutRenamed(RowHashes.changedHashes(before, now), before, row, now)
                : changedFrom(lastWritten, row);
        if (hashed) {
            changed.removeIf(c -> (before == null || !before.containsKey(c)) && defaults.containsKey(c)
                    && SqlValues.same(row.get(c), defaults.get(c)));
        }
        if (changed.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new RowChange(table, recordId, Operation.UPDATE, Kind.EDIT, SqlValues.encodeRow(row),
                JSON.writeValueAsString(new ArrayList<>(changed))));
    }

    /**
     * Leaves out a column that is only a renamed one: unknown to the state, while a column the state knows is
     * gone from the row and held the same value. Without this, every row touched after a RENAME COLUMN would
     * count the renamed column as changed.
     */
    private static Set<String> withoutRenamed(Set<String> changed, Map<String, String> before, Map<String, Object> row,
                                              Map<String, String> now) {
        if (before == null || changed.stream().allMatch(before::containsKey)) {
            return changed;
        }
        Set<String> vanished = new LinkedHashSet<>(before.keySet());
        vanished.removeAll(row.keySet());
        Set<String> out = new LinkedHashSet<>();
        for (String column : changed) {
            String was = before.containsKey(column) ? null : vanished.stream()
                    .filter(v -> before.get(v).equals(now.get(column))).findFirst().orElse(null);
            if (was == null) {
                out.add(column);
            } else {
                vanished.remove(was);
            }
        }
        return out;
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
