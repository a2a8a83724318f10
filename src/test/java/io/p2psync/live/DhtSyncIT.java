package io.p2psync.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Peer routing end to end: A and C each know only B (their bootstrap peer), neither knows where the other is, and
 * neither's REST endpoint can be reached (it answers on 127.0.0.2 while libp2p listens on 127.0.0.1). Once they
 * pair by device id alone, A finds C's addresses through the DHT via B, dials it, and the two sync over the libp2p
 * sync protocol. B is no device of theirs: it only answers DHT queries.
 */
class DhtSyncIT {

    @TempDir
    Path dir;
    private LiveTestNode a;
    private LiveTestNode b;
    private LiveTestNode c;
    /** The property that names B as the bootstrap peer of A and C. */
    private String bootstrap;

    @AfterEach
    void stop() {
        for (LiveTestNode n : new LiveTestNode[] {a, b, c}) {
            if (n != null) {
                n.close();
            }
        }
    }

    @Test
    void pairedDevicesThatKnowOnlyABootstrapPeerFindEachOtherAndSyncOverLibp2p() {
        startThreeNodes();
        await().atMost(Duration.ofSeconds(20)).until(() -> b.live().dht().orElseThrow().routingTablePeers().contains(a.id)
                && !b.live().dht().orElseThrow().addressesOf(c.id).isEmpty());
        assertThat(a.live().connectedPeers()).doesNotContain(c.id);
        for (int i = 0; i < 20; i++) {
            a.put("from-a-" + i, "written on a " + i);
        }
        c.put("from-c", "written on c");

        a.authorize(c.id, "c", null);
        c.authorize(a.id, "a", null);

        await().atMost(Duration.ofSeconds(40)).until(() -> c.get("from-a-19").isPresent() && a.get("from-c").isPresent());
        assertThat(a.live().connectedPeers()).contains(c.id);
        for (int i = 0; i < 20; i++) {
            assertThat(c.get("from-a-" + i)).contains("written on a " + i);
        }
        assertThat(a.get("from-c")).contains("written on c");
        // B relayed nothing: it is not paired with either, so it holds none of their writes
        assertThat(b.get("from-a-0")).isEmpty();
        assertThat(b.get("from-c")).isEmpty();
    }

    /**
     * A device paired by id alone, restarted, looks its peers up again: nobody else can bring the two together, as
     * C never dialled A (A dialled C) and A listens on a new port now.
     */
    @Test
    void aDevicePairedByIdFindsItsPeerAgainAfterARestart() {
        startThreeNodes();
        await().atMost(Duration.ofSeconds(20)).until(() -> !b.live().dht().orElseThrow().addressesOf(c.id).isEmpty());
        a.authorize(c.id, "c", null);
        c.authorize(a.id, "a", null);
        c.put("before-restart", "written on c");
        await().atMost(Duration.ofSeconds(40)).until(() -> a.get("before-restart").isPresent());

        a.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> !c.live().connectedPeers().contains(a.id));
        a = LiveTestNode.start("a", dir.resolve("a"), "server.address=127.0.0.2", bootstrap);
        c.put("after-restart", "written on c");

        await().atMost(Duration.ofSeconds(40)).until(() -> a.get("after-restart").isPresent());
        assertThat(a.get("after-restart")).contains("written on c");
        assertThat(a.live().connectedPeers()).contains(c.id);
    }

    private void startThreeNodes() {
        // B keeps the connections of A and C, which are no devices of its own, for longer than the default
        b = LiveTestNode.start("b", dir.resolve("b"), "p2psync.libp2p.guest-grace-period=120s");
        bootstrap = "p2psync.libp2p.bootstrap=" + b.status().get("listenAddrs").get(0).asString();
        // C runs the DHT as a client, as a device behind a home router should: no routing table takes it in, so
        // A's own refresh lookups never meet it, and only looking C up by its id finds it (B names it when asked)
        c = LiveTestNode.start("c", dir.resolve("c"), "server.address=127.0.0.2", bootstrap,
                "p2psync.libp2p.dht.mode=client");
        a = LiveTestNode.start("a", dir.resolve("a"), "server.address=127.0.0.2", bootstrap);
    }
}
