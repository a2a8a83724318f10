package io.p2psync.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Four real nodes in a line, A - B - D - C, each pair knowing each other's url, the rest knowing each other by id
 * only: B is not connected to C and has no address for it, but D told B (NETWORK_STATE) it is connected to C. A
 * asks B (PEER_QUERY); B answers from that report, naming D and D's addresses; A dials D, asks it, and reaches C.
 * The DHT is off, so no node finds another by its id alone.
 */
class NetworkStateQueryIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    /** The DHT would find C for B by itself; the peer rung is what is shown here. */
    private static final String NO_DHT = "p2psync.libp2p.dht.enabled=false";
    /**
     * The peer rung dials D, asks it and dials C within this budget (2 s by default); on a loaded machine two fresh
     * handshakes can take longer, and the message then went store-and-forward, which is not what is shown here.
     */
    private static final String PATIENT = "p2psync.messaging.peer-query-timeout=15s";

    @TempDir
    Path dir;
    private MessagingTestNode a;
    private MessagingTestNode b;
    private MessagingTestNode c;
    private MessagingTestNode d;

    @AfterEach
    void stop() {
        for (MessagingTestNode n : new MessagingTestNode[] {a, b, c, d}) {
            if (n != null) {
                n.close();
            }
        }
    }

    @Test
    void aPeerAnswersFromWhatItsNeighbourReportedAndTheSenderGoesThroughIt() throws Exception {
        c = MessagingTestNode.start("c", dir.resolve("c"), NO_DHT, PATIENT);
        d = MessagingTestNode.start("d", dir.resolve("d"), NO_DHT, PATIENT);
        b = MessagingTestNode.start("b", dir.resolve("b"), NO_DHT, PATIENT);
        a = MessagingTestNode.start("a", dir.resolve("a"), NO_DHT, PATIENT);
        a.authorize(b, true);
        a.authorize(d, false);
        a.authorize(c, false);
        b.authorize(a, true);
        b.authorize(d, true);
        b.authorize(c, false);
        d.authorize(b, true);
        d.authorize(c, true);
        d.authorize(a, false);
        c.authorize(d, true);
        c.authorize(b, false);
        c.authorize(a, false);
        await().atMost(WAIT).until(() -> a.connectedTo(b) && b.connectedTo(d) && d.connectedTo(c));
        await("D's NETWORK_STATE, sent on connecting, reached B").atMost(WAIT)
                .until(() -> b.context.getBean(NetworkView.class).peersConnectedTo(c.id).contains(d.id));
        assertThat(b.connectedTo(c)).as("B only knows C by id").isFalse();
        assertThat(a.connectedTo(d) || a.connectedTo(c)).as("A only knows D and C by id").isFalse();
        assertThat(MessagingTestNode.JSON.readTree(b.get("/messages/routes/" + c.id).body()).get("addresses"))
                .as("B has no address for C").isEmpty();
        assertThat(MessagingTestNode.JSON.readTree(a.get("/messages/routes/" + c.id).body()).get("addresses"))
                .as("A has no address for C").isEmpty();

        String id = a.sendMessage(c, "through the device B heard of").get("id").asString();
        await().atMost(WAIT).until(() -> "DELIVERED".equals(a.status(id)));
        JsonNode sent = a.message(id);
        assertThat(sent.get("path").asString()).isEqualTo("PEER_QUERY");
        assertThat(sent.get("via").asString()).as("D, named by B's answer, gave C's addresses").isEqualTo(d.id.toString());
        assertThat(c.message(id).get("content").asString()).isEqualTo("through the device B heard of");
        assertThat(b.connectedTo(c)).as("B still is not connected to C").isFalse();
        assertThat(MessagingTestNode.JSON.readTree(a.get("/messages/routes/" + c.id).body()).get("addresses"))
                .as("the way that worked is in A's route cache").isNotEmpty();
    }
}
