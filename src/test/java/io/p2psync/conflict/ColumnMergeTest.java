package io.p2psync.conflict;

import static io.p2psync.conflict.TestEntries.delete;
import static io.p2psync.conflict.TestEntries.insert;
import static io.p2psync.conflict.TestEntries.update;
import static io.p2psync.conflict.TestEntries.vv;
import static org.assertj.core.api.Assertions.assertThat;

import io.p2psync.changes.ChangeEntry;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ColumnMergeTest {

    private final ChangeEntry created = insert("a", 1, 10, "{\"id\":1,\"x\":\"x0\",\"y\":\"y0\"}");

    @Test
    void keepsColumnsChangedOnOneSideOnlyFromThatSide() {
        ChangeEntry onA = update("a", 2, 20, "{\"id\":1,\"x\":\"xa\",\"y\":\"y0\"}", "[\"x\"]", vv("a", 1));
        ChangeEntry onB = update("b", 1, 15, "{\"id\":1,\"x\":\"x0\",\"y\":\"yb\"}", "[\"y\"]", vv("a", 1));

        ColumnMerge.Merged m = ColumnMerge.merge(List.of(created, onA, onB));

        assertThat(m.data()).isEqualTo("{\"id\":1,\"x\":\"xa\",\"y\":\"yb\"}");
        assertThat(m.top()).isEqualTo(onA);
        assertThat(m.columnClocks()).containsEntry("x", new WriteClock(20, "a")).containsEntry("y", new WriteClock(15, "b"));
    }

    @Test
    void columnsChangedOnBothSidesTakeTheLaterWrite() {
        ChangeEntry onA = update("a", 2, 20, "{\"id\":1,\"x\":\"xa\",\"y\":\"ya\"}", "[\"x\",\"y\"]", vv("a", 1));
        ChangeEntry onB = update("b", 1, 25, "{\"id\":1,\"x\":\"xb\",\"y\":\"y0\"}", "[\"x\"]", vv("a", 1));

        assertThat(ColumnMerge.merge(List.of(created, onA, onB)).data()).isEqualTo("{\"id\":1,\"x\":\"xb\",\"y\":\"ya\"}");
    }

    @Test
    void aLaterDeleteLeavesATombstoneAndALaterEditBringsTheRowBack() {
        ChangeEntry deleted = delete("b", 1, 30, vv("a", 1));
        ChangeEntry edited = update("a", 2, 20, "{\"id\":1,\"x\":\"xa\",\"y\":\"y0\"}", "[\"x\"]", vv("a", 1));
        assertThat(ColumnMerge.merge(List.of(created, edited, deleted)).deleted()).isTrue();

        ChangeEntry editedLater = update("a", 2, 40, "{\"id\":1,\"x\":\"xa\",\"y\":\"y0\"}", "[\"x\"]", vv("a", 1));
        ColumnMerge.Merged back = ColumnMerge.merge(List.of(created, editedLater, deleted));
        assertThat(back.deleted()).isFalse();
        assertThat(back.data()).isEqualTo("{\"id\":1,\"x\":\"xa\",\"y\":\"y0\"}");
    }

    @Test
    void anEditOnTopOfOneCopyReplacesEveryIdenticalCopyWhateverTheirClocks() {
        // three devices sealed the same row (in their own column order); b's and c's clocks are far ahead
        ChangeEntry onB = insert("b", 1, 90, "{\"y\":\"y0\",\"id\":1,\"x\":\"x0\"}");
        ChangeEntry onC = insert("c", 1, 95, "{\"id\":1,\"x\":\"x0\",\"y\":\"y0\"}");
        ChangeEntry edit = update("a", 2, 20, "{\"id\":1,\"x\":\"xa\",\"y\":\"y0\"}", "[\"x\"]", vv("a", 1));
        ChangeEntry gone = delete("a", 2, 20, vv("a", 1));
        List<ChangeEntry> all = new ArrayList<>(List.of(created, onB, onC, edit));
        for (int i = 0; i < 6; i++) {
            Collections.rotate(all, 1);
            if (i == 3) {
                Collections.reverse(all);
            }
            ColumnMerge.Merged m = ColumnMerge.merge(all);
            assertThat(m.data()).isEqualTo("{\"id\":1,\"x\":\"xa\",\"y\":\"y0\"}");
            assertThat(m.top()).isEqualTo(edit);
            assertThat(ColumnMerge.latest(all).data()).isEqualTo(edit.data());
        }
        assertThat(ColumnMerge.merge(List.of(onC, created, gone, onB)).deleted()).isTrue();
        assertThat(ColumnMerge.latest(List.of(onB, gone, created, onC)).deleted()).isTrue();
    }

    @Test
    void copiesThatDifferInAValueAreConcurrentWrites() {
        ChangeEntry other = insert("b", 1, 90, "{\"id\":1,\"x\":\"x0\",\"y\":\"different\"}");
        ChangeEntry typed = insert("c", 1, 95, "{\"id\":\"1\",\"x\":\"x0\",\"y\":\"y0\"}"); // '1' is not 1
        ChangeEntry edit = update("a", 2, 20, "{\"id\":1,\"x\":\"xa\",\"y\":\"y0\"}", "[\"x\"]", vv("a", 1));

        assertThat(ColumnMerge.merge(List.of(created, other, edit)).data())
                .isEqualTo("{\"id\":1,\"x\":\"x0\",\"y\":\"different\"}");
        assertThat(ColumnMerge.latest(List.of(created, typed, edit)).top()).isEqualTo(typed);
    }

    @Test
    void resultDoesNotDependOnOrder() {
        List<ChangeEntry> all = new ArrayList<>(List.of(created,
                update("a", 2, 20, "{\"id\":1,\"x\":\"xa\",\"y\":\"y0\"}", "[\"x\"]", vv("a", 1)),
                update("b", 1, 15, "{\"id\":1,\"x\":\"x0\",\"y\":\"yb\"}", "[\"y\"]", vv("a", 1)),
                update("c", 1, 17, "{\"id\":1,\"x\":\"xc\",\"y\":\"yc\"}", "[\"x\",\"y\"]", vv("a", 1))));
        String expected = ColumnMerge.merge(all).data();
        Random random = new Random(7);
        for (int i = 0; i < 20; i++) {
            Collections.shuffle(all, random);
            assertThat(ColumnMerge.merge(all).data()).isEqualTo(expected);
        }
        assertThat(expected).isEqualTo("{\"id\":1,\"x\":\"xa\",\"y\":\"yc\"}");
    }

    @Test
    void leavesOutAnEntryWhoseDataIsNotAnObjectTheSameWayEverywhere() {
        ChangeEntry broken = update("b", 1, 99, "[1,2]", "[\"x\"]", vv("a", 1));
        ChangeEntry badColumns = update("c", 1, 50, "{\"id\":1,\"x\":\"xc\",\"y\":\"y0\"}", "not json", vv("a", 1));

        ColumnMerge.Merged m = ColumnMerge.merge(List.of(created, broken, badColumns));

        assertThat(m.top()).isEqualTo(badColumns);
        assertThat(m.data()).isEqualTo("{\"id\":1,\"x\":\"xc\",\"y\":\"y0\"}");
        assertThat(ColumnMerge.merge(List.of(broken))).isNull();
    }
}
