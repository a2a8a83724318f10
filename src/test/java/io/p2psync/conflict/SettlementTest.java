package io.p2psync.conflict;

import static io.p2psync.conflict.TestEntries.entry;
import static io.p2psync.conflict.TestEntries.insert;
import static io.p2psync.conflict.TestEntries.update;
import static io.p2psync.conflict.TestEntries.vv;
import static org.assertj.core.api.Assertions.assertThat;

import io.p2psync.changes.ChangeEntry;
import io.p2psync.changes.Kind;
import io.p2psync.changes.Operation;
import io.p2psync.changes.VersionVector;
import io.p2psync.conflict.Settlement.Outcome;
import io.p2psync.conflict.Settlement.Relation;
import io.p2psync.conflict.Settlement.Verdict;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SettlementTest {

    @Test
    void entryOnTopOfTheRowIsASuccessor() {
        ChangeEntry e = update("b", 1, 10, "{\"id\":1}", null, vv("a", 1));
        assertThat(Settlement.relate(vv("a", 1), e)).isEqualTo(Relation.SUCCESSOR);
        assertThat(Settlement.relate(VersionVector.EMPTY, insert("b", 1, 10, "{\"id\":1}"))).isEqualTo(Relation.SUCCESSOR);
    }

    @Test
    void entryTheRowHasSeenIsKnown() {
        ChangeEntry e = update("b", 1, 10, "{\"id\":1}", null, vv("a", 1));
        assertThat(Settlement.relate(vv("a", 1, "b", 1), e)).isEqualTo(Relation.KNOWN);
        assertThat(Settlement.relate(vv("a", 2, "b", 3), e)).isEqualTo(Relation.KNOWN);
    }

    @Test
    void oldInsertAfterADeleteIsKnownSoTheRowStaysDeleted() {
        // the tombstone keeps the vector of the delete, which saw the insert
        assertThat(Settlement.relate(vv("a", 1, "b", 2), insert("a", 1, 5, "{\"id\":1}"))).isEqualTo(Relation.KNOWN);
    }

    @Test
    void editsThatDidNotSeeEachOtherAreConcurrent() {
        ChangeEntry e = update("b", 1, 10, "{\"id\":1}", null, vv("a", 1));
        assertThat(Settlement.relate(vv("a", 2), e)).isEqualTo(Relation.CONCURRENT);
        assertThat(Settlement.relate(vv("c", 1), insert("b", 1, 10, "{\"id\":1}"))).isEqualTo(Relation.CONCURRENT);
    }

    @Test
    void timestampKeepsTheLaterSideAndTiesGoToTheGreaterDevice() {
        ChangeEntry later = insert("b", 1, 20, "{\"id\":1}");
        assertThat(Settlement.settle(ConflictPolicy.TIMESTAMP, new WriteClock(10, "a"), Kind.EDIT, later).outcome())
                .isEqualTo(Outcome.TAKE_REMOTE);
        assertThat(Settlement.settle(ConflictPolicy.TIMESTAMP, new WriteClock(30, "a"), Kind.EDIT, later).outcome())
                .isEqualTo(Outcome.KEEP_LOCAL);
        assertThat(Settlement.settle(ConflictPolicy.TIMESTAMP, new WriteClock(20, "a"), Kind.EDIT, later).outcome())
                .isEqualTo(Outcome.TAKE_REMOTE);
        assertThat(Settlement.settle(ConflictPolicy.TIMESTAMP, new WriteClock(20, "c"), Kind.EDIT, later).outcome())
                .isEqualTo(Outcome.KEEP_LOCAL);
    }

    @Test
    void localAndRemoteWriteAResolutionWhateverTheClocks() {
        ChangeEntry e = insert("b", 1, 20, "{\"id\":1}");
        Verdict local = Settlement.settle(ConflictPolicy.LOCAL, new WriteClock(10, "a"), Kind.EDIT, e);
        Verdict remote = Settlement.settle(ConflictPolicy.REMOTE, new WriteClock(30, "a"), Kind.EDIT, e);
        assertThat(local).isEqualTo(new Verdict(Outcome.KEEP_LOCAL, true, ConflictStatus.RESOLVED, "local"));
        assertThat(remote).isEqualTo(new Verdict(Outcome.TAKE_REMOTE, true, ConflictStatus.RESOLVED, "remote"));
    }

    @Test
    void manualKeepsLocalAndWaits() {
        Verdict v = Settlement.settle(ConflictPolicy.MANUAL, new WriteClock(10, "a"), Kind.EDIT, insert("b", 1, 20, "{}"));
        assertThat(v).isEqualTo(new Verdict(Outcome.KEEP_LOCAL, false, ConflictStatus.PENDING, null));
    }

    @ParameterizedTest
    @EnumSource(ConflictPolicy.class)
    void concurrentResolutionsSettleByTimestampUnderEveryPolicy(ConflictPolicy policy) {
        ChangeEntry resolution = entry("b", 2, 20, Operation.UPDATE, "{\"id\":1}", null, vv("a", 1, "b", 1),
                Kind.RESOLUTION);
        Verdict v = Settlement.settle(policy, new WriteClock(25, "a"), Kind.RESOLUTION, resolution);
        assertThat(v.outcome()).isEqualTo(Outcome.KEEP_LOCAL);
        assertThat(v.writesResolution()).isFalse();
        assertThat(v.status()).isEqualTo(ConflictStatus.RESOLVED);
    }

    @Test
    void resolutionAgainstAnEditFollowsThePolicy() {
        ChangeEntry resolution = entry("b", 2, 20, Operation.UPDATE, "{\"id\":1}", null, vv("a", 1, "b", 1),
                Kind.RESOLUTION);
        assertThat(Settlement.settle(ConflictPolicy.LOCAL, new WriteClock(10, "a"), Kind.EDIT, resolution).writesResolution())
                .isTrue();
    }
}
