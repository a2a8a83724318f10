package io.p2psync.changes;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2psync.changes.ApplyOutcome.Result;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Groups are signed once, on their last entry (docs/storage.md, "Group signatures"), and a receiver checks
 * one signature per group. What must still be refused, each with its reason, on a real SQLite
 * file: a tampered entry inside a group, a forged group signature, a broken chain; and what must never be
 * stored: entries no verified signature covers yet.
 */
class GroupSignaturesTest {

    private static final List<String> SCHEMA = List.of(
            "CREATE TABLE notes (id INTEGER PRIMARY KEY, title TEXT)");

    @TempDir
    Path dir;

    private StandaloneDevice node;
    private final RemoteDevice bob = new RemoteDevice();
    private long clock = 1L << 20;

    @BeforeEach
    void start() {
        node = new StandaloneDevice(dir.resolve("node.db"), List.of("notes"), System::currentTimeMillis, SCHEMA);
    }

    @AfterEach
    void stop() {
        node.close();
    }

    /** {@code size} entries of bob's, one group: every entry but the last continues it. */
    private List<ChangeEntry> group(int firstId, int size) {
        List<ChangeEntry> group = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            int id = firstId + i;
            group.add(bob.next(RemoteDevice.upsert("notes", "[" + id + "]", "{\"id\":" + id + ",\"title\":\"t" + id + "\"}"),
                    VersionVector.EMPTY, clock++, i < size - 1));
        }
        return group;
    }

    private long notes() {
        return node.jdbc().sql("SELECT COUNT(*) FROM notes").query(Long.class).single();
    }

    private long logged() {
        return node.tracker().versionVector().get(bob.id());
    }

    private static ChangeEntry withData(ChangeEntry e, String data, String hash, String signature) {
        return new ChangeEntry(e.origin(), e.version(), e.hlc(), e.timestamp(), e.table(), e.recordId(),
                e.operation(), e.kind(), data, e.changedColumns(), e.base(), e.prevHash(), hash, signature,
                e.continues());
    }

    private static ChangeEntry withPrevHash(ChangeEntry e, String prevHash) {
        ChangeEntry draft = new ChangeEntry(e.origin(), e.version(), e.hlc(), e.timestamp(), e.table(), e.recordId(),
                e.operation(), e.kind(), e.data(), e.changedColumns(), e.base(), prevHash, e.hash(), e.signature(),
                e.continues());
        return new ChangeEntry(e.origin(), e.version(), e.hlc(), e.timestamp(), e.table(), e.recordId(),
                e.operation(), e.kind(), e.data(), e.changedColumns(), e.base(), prevHash, draft.computeHash(),
                e.signature(), e.continues());
    }

    @Test
    void aGroupOfManyEntriesCarriesOneSignatureAndAppliesWhole() {
        List<ChangeEntry> group = group(1, 50);
        assertThat(group).filteredOn(e -> e.signature() != null).hasSize(1);
        assertThat(group.get(49).signatureValid()).isTrue();

        List<ApplyOutcome> out = node.applier().apply(group, bob.id());

        assertThat(out).extracting(ApplyOutcome::result).containsOnly(Result.APPLIED);
        assertThat(notes()).isEqualTo(50);
        assertThat(node.tracker().verify()).as("the stored log verifies, one signature per group").isEmpty();
    }

    @Test
    void aTamperedEntryInsideAGroupIsRefusedWithItsGroupAndNothingOfItIsStored() {
        List<ChangeEntry> group = group(1, 10);
        ChangeEntry honest = group.get(4);
        String forgedData = honest.data().replace("t5", "forged");

        // the content changed, the hash left as it was: the entry's own hash check fails
        List<ChangeEntry> keptHash = new ArrayList<>(group);
        keptHash.set(4, withData(honest, forgedData, honest.hash(), null));
        List<ApplyOutcome> out = node.applier().apply(keptHash, bob.id());
        assertThat(out.subList(0, 4)).extracting(ApplyOutcome::result).containsOnly(Result.STAGED);
        assertThat(out.get(4).reason()).isEqualTo(RejectReason.BAD_HASH);
        assertThat(out.subList(5, 10)).extracting(ApplyOutcome::reason).containsOnly(RejectReason.EARLIER_REJECTED);

        // the hash made anew for the forged content: the next entry no longer chains to it
        ChangeEntry rehashed = withData(honest, forgedData, "0".repeat(64), null);
        rehashed = withData(honest, forgedData, rehashed.computeHash(), null);
        List<ChangeEntry> newHash = new ArrayList<>(group);
        newHash.set(4, rehashed);
        out = node.applier().apply(newHash, bob.id());
        assertThat(out.get(4).result()).isEqualTo(Result.STAGED);
        assertThat(out.get(5).reason()).isEqualTo(RejectReason.BROKEN_CHAIN);
        assertThat(out.get(5).detail()).contains("prevHash");

        // and the rest of the chain re-linked over the forgery: the group's signature no longer covers it
        List<ChangeEntry> relinked = new ArrayList<>(group.subList(0, 4));
        relinked.add(rehashed);
        String prev = rehashed.hash();
        for (ChangeEntry e : group.subList(5, 10)) {
            ChangeEntry linked = withPrevHash(e, prev);
            relinked.add(linked);
            prev = linked.hash();
        }
        out = node.applier().apply(relinked, bob.id());
        assertThat(out.get(0).result()).isEqualTo(Result.REJECTED);
        assertThat(out.get(0).reason()).isEqualTo(RejectReason.BAD_SIGNATURE);
        assertThat(out.get(0).detail()).contains("version 10").contains("does not verify");
        assertThat(out.subList(1, 10)).extracting(ApplyOutcome::result).containsOnly(Result.REJECTED);

        assertThat(logged()).as("nothing of the group entered the log").isZero();
        assertThat(notes()).isZero();
        assertThat(node.applier().apply(group, bob.id())).as("the real group still goes in")
                .extracting(ApplyOutcome::result).containsOnly(Result.APPLIED);
        assertThat(node.jdbc().sql("SELECT title FROM notes WHERE id = 5").query(String.class).single()).isEqualTo("t5");
    }

    @Test
    void aDamagedSignatureOnAGroupEndInsideADeliveryIsRefusedThoughALaterOneVerifies() {
        List<ChangeEntry> first = group(1, 5);
        List<ChangeEntry> second = group(6, 5);
        List<ChangeEntry> third = group(11, 5);
        ChangeEntry end = second.get(4);
        byte[] sig = Base64.getDecoder().decode(end.signature());
        sig[10] ^= 1;
        List<ChangeEntry> delivery = new ArrayList<>(first);
        delivery.addAll(second.subList(0, 4));
        delivery.add(withData(end, end.data(), end.hash(), Base64.getEncoder().encodeToString(sig)));
        delivery.addAll(third);

        List<ApplyOutcome> out = node.applier().apply(delivery, bob.id());

        // The third group's signature would vouch for the second group by the chain, but the damaged one would
        // be stored and relayed: a device that got a page ending on it would refuse it for good. So it is
        // refused here, and a device that has the group intact delivers it.
        assertThat(out.subList(0, 5)).extracting(ApplyOutcome::result).containsOnly(Result.APPLIED);
        assertThat(out.get(5).reason()).isEqualTo(RejectReason.BAD_SIGNATURE);
        assertThat(out.get(5).detail()).contains("version 10");
        assertThat(out.subList(6, 15)).extracting(ApplyOutcome::result).containsOnly(Result.REJECTED);
        assertThat(logged()).isEqualTo(5);

        List<ChangeEntry> intact = new ArrayList<>(second);
        intact.addAll(third);
        assertThat(node.applier().apply(intact, bob.id())).extracting(ApplyOutcome::result).containsOnly(Result.APPLIED);
        assertThat(notes()).isEqualTo(15);
        assertThat(node.tracker().verify()).as("every stored group end verifies").isEmpty();
    }

    @Test
    void aForgedSignatureOnTheLastGroupEndIsRefusedWithItsWholeGroup() {
        List<ChangeEntry> first = group(1, 5);
        List<ChangeEntry> second = group(6, 5);
        ChangeEntry end = second.get(4);
        String forged = Base64.getEncoder().encodeToString(new RemoteDevice().identity.sign(
                java.util.HexFormat.of().parseHex(end.hash())));
        List<ChangeEntry> delivery = new ArrayList<>(first);
        delivery.addAll(second.subList(0, 4));
        delivery.add(withData(end, end.data(), end.hash(), forged));

        List<ApplyOutcome> out = node.applier().apply(delivery, bob.id());

        assertThat(out.subList(0, 5)).extracting(ApplyOutcome::result).containsOnly(Result.APPLIED);
        assertThat(out.get(5).reason()).isEqualTo(RejectReason.BAD_SIGNATURE);
        assertThat(out.get(5).detail()).contains("version 10");
        assertThat(out.subList(6, 10)).extracting(ApplyOutcome::reason).containsOnly(RejectReason.EARLIER_REJECTED);
        assertThat(logged()).isEqualTo(5);
        assertThat(notes()).isEqualTo(5);
    }

    @Test
    void aBrokenChainIsRefusedWithItsReason() {
        List<ChangeEntry> group = group(1, 6);
        List<ChangeEntry> delivery = new ArrayList<>(group);
        delivery.set(3, withPrevHash(group.get(3), "ab".repeat(32)));

        List<ApplyOutcome> out = node.applier().apply(delivery, bob.id());

        assertThat(out.get(3).reason()).isEqualTo(RejectReason.BROKEN_CHAIN);
        assertThat(out.get(3).detail()).contains("prevHash does not match the hash of version 3");
        assertThat(out.subList(4, 6)).extracting(ApplyOutcome::reason).containsOnly(RejectReason.EARLIER_REJECTED);
        assertThat(logged()).as("the first three wait outside the log: no signature covers them").isZero();
        assertThat(node.tracker().waitingForGroupEnd()).isEqualTo(3);
    }

    @Test
    void entriesOfAGroupSplitOverDeliveriesWaitOutsideTheLogAndForgedOnesNeverStandInTheWay() {
        List<ChangeEntry> group = group(1, 8);
        // someone else's forged version of the group's first half, chained and hashed like the real one
        RemoteDevice mallory = new RemoteDevice();
        List<ChangeEntry> forged = new ArrayList<>();
        String prev = null;
        for (ChangeEntry e : group.subList(0, 4)) {
            ChangeEntry f = withData(e, e.data().replace("\"t", "\"forged "), e.hash(), null);
            f = withPrevHash(f, prev);
            forged.add(f);
            prev = f.hash();
        }
        assertThat(node.applier().apply(forged, mallory.id())).extracting(ApplyOutcome::result).containsOnly(Result.STAGED);
        assertThat(node.applier().apply(group.subList(0, 4), bob.id())).extracting(ApplyOutcome::result)
                .containsOnly(Result.STAGED);
        assertThat(logged()).isZero();

        assertThat(node.applier().apply(group.subList(4, 8), bob.id())).extracting(ApplyOutcome::result)
                .containsOnly(Result.APPLIED);
        assertThat(logged()).isEqualTo(8);
        assertThat(notes()).isEqualTo(8);
        assertThat(node.jdbc().sql("SELECT COUNT(*) FROM notes WHERE title LIKE 'forged%'").query(Long.class).single())
                .isZero();
        assertThat(node.tracker().waitingForGroupEnd()).as("staged entries the log went past are dropped").isZero();
        assertThat(node.tracker().verify()).isEmpty();
    }

    @Test
    void aGroupDeliveredOneEntryAtATimeAsGossipDoesWaitsThenGoesInWhole() {
        List<ChangeEntry> group = group(1, 30);
        for (ChangeEntry e : group.subList(0, 29)) {
            assertThat(node.applier().apply(List.of(e), bob.id())).extracting(ApplyOutcome::result)
                    .containsExactly(Result.STAGED);
        }
        assertThat(node.tracker().waitingForGroupEnd()).isEqualTo(29);
        assertThat(logged()).isZero();
        // an entry with nothing staged or logged before it is out of order, as ever
        RemoteDevice carol = new RemoteDevice();
        carol.next(RemoteDevice.upsert("notes", "[98]", "{\"id\":98,\"title\":\"x\"}"), VersionVector.EMPTY, clock++, true);
        ChangeEntry second = carol.next(RemoteDevice.upsert("notes", "[99]", "{\"id\":99,\"title\":\"x\"}"),
                VersionVector.EMPTY, clock++, true);
        assertThat(node.applier().apply(List.of(second), carol.id())).extracting(ApplyOutcome::reason)
                .containsExactly(RejectReason.OUT_OF_ORDER);

        assertThat(node.applier().apply(List.of(group.get(29)), bob.id())).extracting(ApplyOutcome::result)
                .containsExactly(Result.APPLIED);
        assertThat(notes()).isEqualTo(30);
        assertThat(logged()).isEqualTo(30);
    }

    @Test
    void stagedEntriesWhoseGroupNeverEndsAreDroppedAfterAWhile() {
        List<ChangeEntry> group = group(1, 6);
        node.applier().apply(group.subList(0, 5), bob.id());
        assertThat(node.tracker().waitingForGroupEnd()).isEqualTo(5);
        StagedEntries staged = new StagedEntries(node.jdbc());

        assertThat(staged.dropReceivedBefore(System.currentTimeMillis() - StagedEntriesExpiry.KEPT_FOR.toMillis()))
                .as("an hour has not passed").isZero();
        node.jdbc().sql("UPDATE sync_staged SET received_at = received_at - ?")
                .param(StagedEntriesExpiry.KEPT_FOR.toMillis() + 1).update();
        assertThat(staged.dropReceivedBefore(System.currentTimeMillis() - StagedEntriesExpiry.KEPT_FOR.toMillis()))
                .isEqualTo(5);
        assertThat(node.tracker().waitingForGroupEnd()).isZero();

        // the group brought again, whole, goes in as ever
        assertThat(node.applier().apply(group, bob.id())).extracting(ApplyOutcome::result).containsOnly(Result.APPLIED);
    }
}
