package io.p2psync.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.p2psync.p2p.host.Connection;
import java.nio.file.Path;
import java.time.Instant;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Real nodes on 127.0.0.1 whose libp2p runs over QUIC: with TCP switched off, pairing by url makes them
 * connect over QUIC alone and a write travels live by gossip; with both on, the dial takes QUIC first.
 */
class LiveQuicIT {

    @TempDir
    Path dir;
    private LiveTestNode a;
    private LiveTestNode b;

    @AfterEach
    void stopNodes() {
        for (LiveTestNode n : new LiveTestNode[] {a, b}) {
            if (n != null) {
                n.close();
            }
        }
    }

    /**
     * The devices know each other only by id (no url, so no REST) and A dials B at its QUIC address, so the write
     * can reach B over the QUIC connection alone.
     */
    @Test
    void twoNodesWithTcpSwitchedOffPropagateAWriteLiveOverQuic() {
        b = LiveTestNode.start("b", dir.resolve("b"), "p2psync.libp2p.tcp=false");
        String bQuic = b.status().get("listenAddrs").get(0).asString();
        assertThat(b.status().get("listenAddrs").values()).singleElement();
        assertThat(bQuic).contains("/udp/").contains("/quic-v1/p2p/" + b.id);
        a = LiveTestNode.start("a", dir.resolve("a"), "p2psync.libp2p.tcp=false", "p2psync.libp2p.peers=" + bQuic);
        a.authorize(b.id, "b", null);
        b.authorize(a.id, "a", null);
        await().atMost(Duration.ofSeconds(30)).until(() -> a.meshedWith(b) && b.meshedWith(a));

        assertThat(a.live().connectionTo(b.id).map(Connection::transport)).contains(Connection.Transport.QUIC);
        assertThat(b.live().connectionTo(a.id).map(Connection::transport)).contains(Connection.Transport.QUIC);
        double appliedOnB = b.applied();
        a.put("over-quic", "live from a");
        await().atMost(Duration.ofSeconds(10)).until(() -> b.get("over-quic").equals(Optional.of("live from a")));
        assertThat(b.applied()).as("applied from gossip on b").isGreaterThan(appliedOnB);
    }

    @Test
    void nodesOnBothTransportsConnectOverQuicAndAnnounceBothAddresses() {
        a = LiveTestNode.start("a", dir.resolve("a"));
        b = LiveTestNode.start("b", dir.resolve("b"));
        assertThat(a.status().get("listenAddrs").values()).hasSize(2)
                .anySatisfy(addr -> assertThat(addr.asString()).contains("/tcp/"))
                .anySatisfy(addr -> assertThat(addr.asString()).contains("/quic-v1/"));

        pairAndMesh();

        assertThat(a.live().connectionTo(b.id).map(Connection::transport)).contains(Connection.Transport.QUIC);
        JsonNode listed = a.status().get("connections");
        assertThat(listed.values()).anySatisfy(c -> {
            assertThat(c.get("peer").asString()).isEqualTo(b.id.toString());
            assertThat(c.get("transport").asString()).isEqualTo("quic");
            assertThat(c.get("remoteAddress").asString()).startsWith("/ip4/127.0.0.1/udp/").endsWith("/quic-v1");
            assertThat(c.get("direct").asBoolean()).isTrue();
            assertThat(c.get("direction").asString()).isIn("inbound", "outbound");
            assertThat(Instant.parse(c.get("since").asString())).isBefore(Instant.now());
        });
        a.put("both", "from a");
        await().atMost(Duration.ofSeconds(10)).until(() -> b.get("both").equals(Optional.of("from a")));
    }

    @Test
    void aQuietQuicConnectionIsKeptAliveBeyondTheIdleTimeout() {
        String[] quicOnly = {"p2psync.libp2p.tcp=false", "p2psync.libp2p.quic-idle-timeout=1500ms"};
        a = LiveTestNode.start("a", dir.resolve("a"), quicOnly);
        b = LiveTestNode.start("b", dir.resolve("b"), quicOnly);
        pairAndMesh();
        Connection before = a.live().connectionTo(b.id).orElseThrow();

        // four idle timeouts with nothing to gossip
        await().during(Duration.ofSeconds(6)).atMost(Duration.ofSeconds(8)).until(before::isOpen);

        // still one of a's open connections (b may have dialed a as well meanwhile: a second connection, not this
        // one's replacement)
        assertThat(a.live().connections()).contains(LiveConnection.of(before));
    }

    private void pairAndMesh() {
        a.pairWith(b);
        b.pairWith(a);
        await().atMost(Duration.ofSeconds(30)).until(() -> a.meshedWith(b) && b.meshedWith(a));
    }
}
