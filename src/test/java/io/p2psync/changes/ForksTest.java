package io.p2psync.changes;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fork is recorded only when the peer's entry proves it: a head is only the peer's word, and a device that
 * believed any head could be made to refuse an honest origin.
 */
class ForksTest {

    @TempDir
    Path dir;

    private final RemoteDevice origin = new RemoteDevice();

    @Test
    void aHeadThatDiffersIsACandidateAndOnlyTheOriginsSignedEntryMakesItAFork() {
        try (StandaloneDevice here = new StandaloneDevice(dir.resolve("here.db"), List.of(), System::currentTimeMillis,
                List.of())) {
            Forks forks = new Forks(here.jdbc(), here.log());
            ChangeEntry mine = origin.next(RemoteDevice.upsert("sync_kv", "[\"k\"]",
                    "{\"key\":\"k\",\"value\":\"x\",\"timestamp\":\"2026-01-01T00:00:00Z\"}"), VersionVector.EMPTY, 1);
            here.applier().apply(List.of(mine), origin.id());
            RemoteDevice twin = new RemoteDevice(origin.identity);
            ChangeEntry theirs = twin.next(RemoteDevice.upsert("sync_kv", "[\"k\"]",
                    "{\"key\":\"k\",\"value\":\"y\",\"timestamp\":\"2026-01-01T00:00:00Z\"}"), VersionVector.EMPTY, 1);

            assertThat(forks.candidates(Map.of(origin.id(), 1L), Map.of(origin.id(), mine.hash()), "peer"))
                    .as("the same head").isEmpty();
            assertThat(forks.candidates(Map.of(origin.id(), 2L), Map.of(origin.id(), theirs.hash()), "peer"))
                    .as("a version this device does not hold").isEmpty();
            List<Forks.Fork> lie = forks.candidates(Map.of(origin.id(), 1L), Map.of(origin.id(), "ab".repeat(32)),
                    "peer");
            assertThat(lie).hasSize(1);
            assertThat(forks.prove(lie.get(0), theirs)).as("an entry that is not the head claimed").isFalse();

            Forks.Fork candidate = forks.candidates(Map.of(origin.id(), 1L), Map.of(origin.id(), theirs.hash()),
                    "peer").get(0);
            ChangeEntry unsigned = new ChangeEntry(theirs.origin(), 1, theirs.hlc(), theirs.timestamp(),
                    theirs.table(), theirs.recordId(), theirs.operation(), theirs.kind(), theirs.data(),
                    theirs.changedColumns(), theirs.base(), null, theirs.hash(), null, true);
            ChangeEntry badSignature = new ChangeEntry(theirs.origin(), 1, theirs.hlc(), theirs.timestamp(),
                    theirs.table(), theirs.recordId(), theirs.operation(), theirs.kind(), theirs.data(),
                    theirs.changedColumns(), theirs.base(), null, theirs.hash(), mine.signature());
            assertThat(forks.prove(candidate, unsigned)).as("no signature").isFalse();
            assertThat(forks.prove(candidate, badSignature)).as("a signature over another hash").isFalse();
            assertThat(forks.isForked(origin.id())).isFalse();
            assertThat(forks.heldApart(Map.of(origin.id(), 1L), Map.of(origin.id(), theirs.hash())))
                    .as("not a recorded fork yet").isEmpty();

            assertThat(forks.prove(candidate, theirs)).isTrue();
            assertThat(forks.heldApart(Map.of(origin.id(), 1L), Map.of(origin.id(), theirs.hash())))
                    .containsExactly(origin.id());
            assertThat(forks.heldApart(Map.of(origin.id(), 1L), Map.of(origin.id(), mine.hash())))
                    .as("a peer on this device's branch").isEmpty();
            assertThat(forks.isForked(origin.id())).isTrue();
            assertThat(forks.list()).extracting(Forks.Fork::hashHere, Forks.Fork::hashThere)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(mine.hash(), theirs.hash()));
            assertThat(forks.heads(VersionVector.of(Map.of(origin.id(), 1L)))).containsEntry(origin.id(), mine.hash());
        }
    }
}
