package io.p2psync.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.p2psync.changes.ChangeEntry;
import io.p2psync.changes.ChangeTracker;
import io.p2psync.changes.EntryRef;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/**
 * An entry that gossip brings after a gap, from a peer that cannot serve the entries before it (it forwarded the
 * entry before storing it, or it is no sync node at all): the entry was dropped and will not come by gossip again,
 * so this node fetches it from the entry's origin instead of waiting for the next scheduled catch-up.
 */
class GossipGapIT {

    @TempDir
    Path dir;
    LiveTestNode laptop;
    LiveTestNode phone;

    @AfterEach
    void stop() {
        for (LiveTestNode n : new LiveTestNode[] {laptop, phone}) {
            if (n != null) {
                n.close();
            }
        }
    }

    @Test
    void anEntryAfterAGapFromAPeerThatLacksWhatCameBeforeItIsFetchedFromItsOrigin() {
        // the laptop is reached over REST only, and neither device syncs by itself: no round but the gap's
        laptop = LiveTestNode.start("laptop", dir.resolve("laptop"), "p2psync.libp2p.enabled=false",
                "p2psync.sync.auto=false");
        phone = LiveTestNode.start("phone", dir.resolve("phone"), "p2psync.sync.auto=false");
        laptop.pairWith(phone);
        phone.pairWith(laptop);
        try (RawGossipPeer relay = new RawGossipPeer("p2p-sync")) {
            phone.authorize(relay.id(), "relay", null);
            relay.dial(phone);
            await().atMost(Duration.ofSeconds(10)).until(() -> relay.seesInTopic(phone));
            laptop.put("first", "1");
            laptop.put("second", "2");
            ChangeTracker log = laptop.context.getBean(ChangeTracker.class);
            ChangeEntry second = log.find(new EntryRef(laptop.id.toString(),
                    log.versionVector().get(laptop.id.toString()))).orElseThrow();
            assertThat(phone.get("first")).isEmpty();

            // the relay passes the laptop's second entry on; it has none of the laptop's entries to serve
            relay.publish(new String(new PayloadCodec(JsonMapper.builder().build()).encode(second),
                    StandardCharsets.UTF_8));

            await().atMost(Duration.ofSeconds(15)).until(() -> phone.get("first").equals(Optional.of("1"))
                    && phone.get("second").equals(Optional.of("2")));
            assertThat(phone.dropped(DropReason.GAP)).isEqualTo(1);
        }
    }
}
