package io.p2psync.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2psync.changes.ChangeEntry;
import io.p2psync.changes.EntriesStored;
import io.p2psync.changes.Kind;
import io.p2psync.changes.Operation;
import io.p2psync.changes.RowChange;
import io.p2psync.changes.VersionVector;
import io.p2psync.identity.DeviceIdentity;
import io.p2psync.p2p.core.PrivateKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * This device's own entries go out in version order whatever order their commits' events come in: concurrent
 * writers commit one after another, but each publishes on its own thread afterwards, and a receiver takes an
 * entry after a gap for a gap (dropped, caught up over REST).
 */
class LivePublisherTest {

    private final PayloadCodec codec = new PayloadCodec(JsonMapper.builder().build());
    private final DeviceIdentity self = new DeviceIdentity(PrivateKey.generate());
    private final List<ChangeEntry> log = new ArrayList<>();
    private final List<Long> published = new ArrayList<>();

    /** A publisher for a device whose log held {@code head} entries of its own at start. */
    private LivePublisher publisher(long head) {
        return new LivePublisher(codec, new ChainHeads(origin -> ChainHeads.Head.NONE), new GossipArrivals(), false,
                payload -> published.add(((GossipPayload.Entry) codec.decode(payload)).entry().version()),
                self.deviceId().toString(), version -> version <= log.size() ? Optional.of(log.get((int) (version - 1))) : Optional.empty(), head);
    }

    /** Seals {@code n} more entries of this device into {@link #log}; {@code groupOf} entries to a group. */
    private List<ChangeEntry> seal(DeviceIdentity device, List<ChangeEntry> into, int n, int groupOf) {
        List<ChangeEntry> sealed = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int v = into.size() + 1;
            ChangeEntry e = ChangeEntry.seal(device, v, (1L << 40) + v, System.currentTimeMillis(),
                    new RowChange("sync_kv", "[\"k" + v + "\"]", Operation.INSERT, Kind.EDIT,
                            "{\"key\":\"k" + v + "\",\"value\":\"v\"}", null),
                    VersionVector.EMPTY, v == 1 ? null : into.get(v - 2).hash(), (i + 1) % groupOf != 0);
            into.add(e);
            sealed.add(e);
        }
        return sealed;
    }

    @Test
    void ownEntriesWhoseEventsComeOutOfOrderGoOutInVersionOrderOnce() {
        seal(self, log, 2, 1);
        LivePublisher publisher = publisher(2);
        List<ChangeEntry> v3 = seal(self, log, 1, 1);
        List<ChangeEntry> v4 = seal(self, log, 1, 1);
        List<ChangeEntry> v5to7 = seal(self, log, 3, 3); // one group: only its end is published
        List<ChangeEntry> v8 = seal(self, log, 1, 1);

        publisher.onStored(new EntriesStored(v4, null)); // v3's commit came first, its event comes later
        publisher.onStored(new EntriesStored(v3, null));
        publisher.onStored(new EntriesStored(v8, null));
        publisher.onStored(new EntriesStored(v5to7, null));

        assertThat(published).containsExactly(3L, 4L, 7L, 8L);
    }

    @Test
    void relayedEntriesGoOutAsTheyComeAndLeaveOwnOrderAlone() {
        LivePublisher publisher = publisher(0);
        List<ChangeEntry> other = new ArrayList<>();
        List<ChangeEntry> relayed = seal(new DeviceIdentity(PrivateKey.generate()), other, 2, 1);
        List<ChangeEntry> v1 = seal(self, log, 1, 1);

        publisher.onStored(new EntriesStored(relayed.subList(1, 2), "a-peer"));
        publisher.onStored(new EntriesStored(v1, null));
        publisher.onStored(new EntriesStored(relayed.subList(0, 1), "a-peer"));

        assertThat(published).containsExactly(2L, 1L, 1L);
    }

    /** Own entries that came back from a peer went out as relayed ones, and the next own seal does not resend them. */
    @Test
    void ownEntriesThatCameBackFromAPeerAreNotSentAgain() {
        LivePublisher publisher = publisher(0);
        List<ChangeEntry> back = seal(self, log, 3, 1); // this device's entries, restored from a peer's copy
        List<ChangeEntry> v4 = seal(self, log, 1, 1);

        publisher.onStored(new EntriesStored(back, "a-peer"));
        publisher.onStored(new EntriesStored(v4, null));

        assertThat(published).containsExactly(1L, 2L, 3L, 4L);
    }

    /** A gap too long to read ahead (its events lost) is left to REST: the entry goes out, and nothing before it. */
    @Test
    void aGapLongerThanWhatIsReadAheadIsLeftToRest() {
        LivePublisher publisher = publisher(0);
        seal(self, log, LivePublisher.MOST_SENT_AHEAD + 1, 1);
        List<ChangeEntry> next = seal(self, log, 1, 1);

        publisher.onStored(new EntriesStored(next, null));

        assertThat(published).containsExactly((long) LivePublisher.MOST_SENT_AHEAD + 2);
    }
}
