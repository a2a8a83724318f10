package io.p2psync.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2psync.changes.ChangeEntry;
import io.p2psync.changes.ChangeTracker;
import io.p2psync.changes.VersionVector;
import io.p2psync.p2p.core.PrivateKey;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** Answering pulls from a real SQLite log holding entries of several origins. */
// its data dir is its own, so the context is never reused: closed after the class, before JUnit deletes that dir
@org.springframework.test.annotation.DirtiesContext
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
class SyncSourceTest {

    @TempDir
    static Path dataDir;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("p2psync.data-dir", () -> dataDir.toString());
    }

    @Autowired
    SyncSource source;
    @Autowired
    EntryReceiver receiver;
    @Autowired
    ChangeTracker tracker;

    @Test
    void pagesThroughEverythingACallerLacksPerOriginInOrderAndAgreesWithTheTrackersVector() {
        PrivateKey bob = PrivateKey.generate();
        PrivateKey carol = PrivateKey.generate();
        PrivateKey relay = PrivateKey.generate();
        List<ChangeEntry> bobs = ThreeNodeSyncIT.chain(bob, "bob", 7);
        List<ChangeEntry> carols = ThreeNodeSyncIT.chain(carol, "carol", 5);
        List<ChangeEntry> all = new ArrayList<>(bobs);
        all.addAll(carols);
        assertThat(receiver.receive(all, relay.peerId()).accepted()).isEqualTo(12);

        VersionVector server = source.pull(VersionVector.EMPTY, 1).serverVector();
        assertThat(server).isEqualTo(tracker.versionVector());
        assertThat(server.get(bob.peerId().toString())).isEqualTo(7);

        // A caller that already has bob's first 3 entries pages through the rest, 4 at a time.
        VersionVector known = VersionVector.of(Map.of(bob.peerId().toString(), 3L));
        List<ChangeEntry> received = new ArrayList<>();
        PullResponse page;
        do {
            page = source.pull(known, 4);
            assertThat(page.entries()).hasSizeLessThanOrEqualTo(4);
            for (ChangeEntry e : page.entries()) {
                assertThat(e.version()).isEqualTo(known.get(e.origin()) + 1);
                known = known.with(e.origin(), e.version());
                received.add(e);
            }
        } while (page.more());

        assertThat(received).hasSize(4 + 5);
        assertThat(known).isEqualTo(server);
        assertThat(source.pull(known, 4).entries()).isEmpty();
        assertThat(source.pull(known, 4).more()).isFalse();
    }

    @Test
    void answersNothingForAnOriginMarkedAsFullyKnown() {
        PrivateKey dave = PrivateKey.generate();
        receiver.receive(ThreeNodeSyncIT.chain(dave, "dave", 2), PrivateKey.generate().peerId());
        VersionVector skipAll = tracker.versionVector();
        skipAll = skipAll.with(dave.peerId().toString(), Long.MAX_VALUE);
        assertThat(source.pull(skipAll, 100).entries()).isEmpty();
    }
}
