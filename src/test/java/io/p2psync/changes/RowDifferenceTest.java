package io.p2psync.changes;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The sealer's and the scan's one comparison: a row as it stands against its last sealed state. */
class RowDifferenceTest {

    private static final String ID = "[\"k\"]";

    private static Map<String, Object> row(Object... columnsAndValues) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 0; i < columnsAndValues.length; i += 2) {
            row.put((String) columnsAndValues[i], columnsAndValues[i + 1]);
        }
        return row;
    }

    private static RowState live(Map<String, Object> sealed) {
        return new RowState("t", ID, VersionVector.EMPTY, "o", 1, 1, false, null, RowHashes.of(sealed));
    }

    /** Table t keyed by k, with these defaults and former columns. */
    private static TrackedTable table(Map<String, Object> defaults, FormerColumns former) {
        return new TrackedTable("t", List.of("k"), List.of("k"), false, defaults, former);
    }

    private static final TrackedTable T = table(Map.of(), FormerColumns.NONE);

    private static Optional<RowChange> diff(Map<String, Object> now, RowState state) {
        return RowDifference.of(T, ID, now, state, null);
    }

    @Test
    void aRowWithoutStateIsAnInsertOfTheWholeRow() {
        RowChange c = diff(row("k", "k", "r", 0.1 + 0.2), null).orElseThrow();
        assertThat(c.operation()).isEqualTo(Operation.INSERT);
        assertThat(c.data()).isEqualTo("{\"k\":\"k\",\"r\":0.30000000000000004}");
        assertThat(c.changedColumns()).isNull();
    }

    @Test
    void aRowWhoseStateSaysDeletedIsAnInsertAgain() {
        RowState deleted = new RowState("t", ID, VersionVector.EMPTY, "o", 1, 1, true, null, null);
        assertThat(diff(row("k", "k"), deleted).orElseThrow().operation()).isEqualTo(Operation.INSERT);
    }

    @Test
    void aChangedRowIsAnUpdateNamingOnlyTheChangedColumns() {
        RowState state = live(row("k", "k", "a", 1L, "b", new byte[] {0}));
        RowChange c = diff(row("k", "k", "a", 1L, "b", new byte[] {1}), state).orElseThrow();
        assertThat(c.operation()).isEqualTo(Operation.UPDATE);
        assertThat(c.changedColumns()).isEqualTo("[\"b\"]");
    }

    @Test
    void aValueOfAnotherStorageClassIsAChangeThoughItReadsTheSame() {
        RowState state = live(row("k", "k", "a", 5L));
        assertThat(diff(row("k", "k", "a", "5"), state).orElseThrow().changedColumns()).isEqualTo("[\"a\"]");
        assertThat(diff(row("k", "k", "a", 5.0), state)).isPresent();
    }

    @Test
    void anUnchangedRowGivesNothing() {
        Map<String, Object> sealed = row("k", "k", "a", -0.0, "n", null);
        assertThat(diff(row("k", "k", "a", -0.0, "n", null), live(sealed))).isEmpty();
    }

    @Test
    void aDroppedColumnIsNoChangeAndOneGoneBeforeTheNodeKeptHistoryIsTakenAsRenamedWhenItHeldTheSameValue() {
        RowState state = live(row("k", "k", "old", "v", "gone", 1L));
        assertThat(diff(row("k", "k", "old", "v"), state)).isEmpty();
        assertThat(diff(row("k", "k", "renamed", "v", "gone", 1L), state)).isEmpty();
        assertThat(diff(row("k", "k", "renamed", "w", "gone", 1L), state).orElseThrow().changedColumns())
                .isEqualTo("[\"renamed\"]");
    }

    @Test
    void aColumnSeenDroppedIsNobodysFormerNameThoughTheColumnAddedInItsPlaceHoldsTheSameValue() {
        RowState state = live(row("k", "k", "flag", 1L));
        TrackedTable dropped = table(Map.of("flag2", 0L), new FormerColumns(Map.of(), Set.of("flag")));
        assertThat(RowDifference.of(dropped, ID, row("k", "k", "flag2", 1L), state, null).orElseThrow()
                .changedColumns()).as("the app wrote 1 into the new column").isEqualTo("[\"flag2\"]");
        assertThat(RowDifference.of(dropped, ID, row("k", "k", "flag2", 0L), state, null))
                .as("the new column holds its default").isEmpty();
    }

    @Test
    void aColumnSeenRenamedIsComparedWithWhatItHeldUnderItsFormerName() {
        RowState state = live(row("k", "k", "flag", 1L));
        TrackedTable renamed = table(Map.of("flag2", 0L), new FormerColumns(Map.of("flag", "flag2"), Set.of()));
        assertThat(RowDifference.of(renamed, ID, row("k", "k", "flag2", 1L), state, null)).isEmpty();
        assertThat(RowDifference.of(renamed, ID, row("k", "k", "flag2", 0L), state, null).orElseThrow()
                .changedColumns()).as("the app set the renamed column to its default").isEqualTo("[\"flag2\"]");
    }

    @Test
    void aColumnTheNodeStillCountsAsTheTablesOwnIsNobodysFormerName() {
        // the app dropped flag and added flag2 since the node last looked at the schema
        RowState state = live(row("k", "k", "flag", 1L));
        TrackedTable notSeenYet = new TrackedTable("t", List.of("k", "flag"), List.of("k"), false, Map.of());
        assertThat(RowDifference.of(notSeenYet, ID, row("k", "k", "flag2", 1L), state, null).orElseThrow()
                .changedColumns()).isEqualTo("[\"flag2\"]");
    }

    @Test
    void anAddedColumnCountsAsChanged() {
        RowState state = live(row("k", "k", "a", 1L));
        assertThat(diff(row("k", "k", "a", 1L, "extra", null), state).orElseThrow().changedColumns())
                .isEqualTo("[\"extra\"]");
    }

    @Test
    void aRowGoneWhileItsStateIsLiveIsADeleteAndOtherwiseNothing() {
        assertThat(diff(null, live(row("k", "k"))).orElseThrow().operation()).isEqualTo(Operation.DELETE);
        assertThat(diff(null, null)).isEmpty();
        assertThat(diff(null, new RowState("t", ID, VersionVector.EMPTY, "o", 1, 1, true, null, null))).isEmpty();
    }

    @Test
    void aColumnTheAppJustAddedCountsAsChangedOnlyWhenItNoLongerHoldsItsDefault() {
        RowState sealed = live(row("k", "k", "title", "a"));
        Map<String, Object> defaults = new java.util.LinkedHashMap<>();
        defaults.put("k", null);
        defaults.put("title", null);
        defaults.put("pinned", 0L);
        defaults.put("tag", null);
        TrackedTable withDefaults = table(defaults, FormerColumns.NONE);
        // ALTER TABLE ... ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0, ADD COLUMN tag; then the title is edited
        RowChange edit = RowDifference.of(withDefaults, ID, row("k", "k", "title", "b", "pinned", 0L, "tag", null), sealed,
                null).orElseThrow();
        assertThat(edit.changedColumns()).as("the new columns still hold their defaults").isEqualTo("[\"title\"]");
        assertThat(RowDifference.of(withDefaults, ID, row("k", "k", "title", "a", "pinned", 0L), sealed, null))
                .as("nothing written here at all").isEmpty();
        assertThat(RowDifference.of(withDefaults, ID, row("k", "k", "title", "a", "pinned", 1L), sealed, null)
                .orElseThrow().changedColumns()).as("a value written into the new column").isEqualTo("[\"pinned\"]");
        assertThat(RowDifference.of(withDefaults, ID, row("k", "k", "title", "a", "made", "now"), sealed, null)
                .orElseThrow().changedColumns()).as("a column whose default is unknown").isEqualTo("[\"made\"]");
    }

    @Test
    void aStateWithoutHashesIsComparedWithTheRowItsEntryWrote() {
        RowState noHashes = new RowState("t", ID, VersionVector.EMPTY, "o", 1, 1, false, null, null);
        assertThat(RowDifference.of(T, ID, row("k", "k", "a", 1L), noHashes, row("k", "k", "a", 1L))).isEmpty();
        assertThat(RowDifference.of(T, ID, row("k", "k", "a", 2L), noHashes, row("k", "k", "a", 1L))
                .orElseThrow().changedColumns()).isEqualTo("[\"a\"]");
        assertThat(RowDifference.of(T, ID, row("k", "k", "a", 2L), noHashes, null)
                .orElseThrow().changedColumns()).isEqualTo("[\"k\",\"a\"]");
    }
}
