package io.p2psync.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Three real nodes: A messages C through each rung of the ladder in turn, and each message shows the path it
 * took. B knows everyone's url; A and C know each other only by id, so neither dials the other by itself.
 */
class MessageLadderIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;
    private MessagingTestNode a;
    private MessagingTestNode b;
    private MessagingTestNode c;

    @AfterEach
    void stop() {
        for (MessagingTestNode n : new MessagingTestNode[] {a, b, c}) {
            if (n != null) {
                n.close();
            }
        }
    }

    @Test
    void reachesTheTargetByEachRungAndShowsThePath() throws Exception {
        int cHttp = MessagingTestNode.freePort();
        int cP2p = MessagingTestNode.freePort();
        String[] cPorts = {"server.port=" + cHttp, "p2psync.libp2p.port=" + cP2p};
        b = MessagingTestNode.start("b", dir.resolve("b"));
        c = MessagingTestNode.start("c", dir.resolve("c"), cPorts);
        a = MessagingTestNode.start("a", dir.resolve("a"));
        a.authorize(b, true);
        a.authorize(c, false);
        b.authorize(a, true);
        b.authorize(c, true);
        c.authorize(a, false);
        c.authorize(b, true);
        await().atMost(WAIT).until(() -> a.connectedTo(b) && b.connectedTo(c));
        assertThat(a.connectedTo(c)).as("A and C know each other by id only").isFalse();

        // 1. an open connection
        a.host().dial(c.addresses().get(0)).get(10, TimeUnit.SECONDS);
        JsonNode direct = a.sendMessage(c, "one: direct");
        assertThat(direct.get("status").asString()).isEqualTo("PENDING");
        String id1 = direct.get("id").asString();
        await().atMost(WAIT).until(() -> "DELIVERED".equals(a.status(id1)));
        assertThat(a.message(id1).get("path").asString()).isEqualTo("DIRECT");
        assertThat(a.message(id1).get("deliveredAt").isNull()).isFalse();
        assertThat(c.message(id1).get("content").asString()).isEqualTo("one: direct");
        assertThat(c.message(id1).get("from").asString()).isEqualTo(a.id.toString());

        // 2. the route cache: no connection, but the address that worked is remembered
        disconnect(a, c);
        String id2 = a.sendMessage(c, "two: cached route").get("id").asString();
        await().atMost(WAIT).until(() -> "DELIVERED".equals(a.status(id2)));
        assertThat(a.message(id2).get("path").asString()).isEqualTo("ROUTE_CACHE");
        assertThat(c.message(id2)).isNotNull();

        // 3. no connection, no route: B, connected to C, answers PEER_QUERY
        disconnect(a, c);
        assertThat(a.delete("/messages/routes/" + c.id).statusCode()).isEqualTo(200);
        assertThat(MessagingTestNode.JSON.readTree(a.get("/messages/routes/" + c.id).body()).get("addresses")).isEmpty();
        String id3 = a.sendMessage(c, "three: found by asking").get("id").asString();
        await().atMost(WAIT).until(() -> "DELIVERED".equals(a.status(id3)));
        assertThat(a.message(id3).get("path").asString()).isEqualTo("PEER_QUERY");
        assertThat(a.message(id3).get("via").asString()).isEqualTo(b.id.toString());
        assertThat(c.message(id3)).isNotNull();

        // 4. C offline: the message is stored at B, delivered when C returns, and the ACK comes back to A
        disconnect(a, c);
        c.close();
        await().atMost(WAIT).until(() -> !b.connectedTo(c));
        String id4 = a.sendMessage(c, "four: stored and forwarded").get("id").asString();
        await().atMost(WAIT).until(() -> "STORED".equals(a.status(id4)));
        assertThat(a.message(id4).get("via").asString()).contains(b.id.toString());
        assertThat(b.get("/messages/" + id4).statusCode()).as("a relay's copy is not one of its own messages").isEqualTo(404);

        c = MessagingTestNode.start("c", dir.resolve("c"), cPorts);
        await().atMost(WAIT).until(() -> "DELIVERED".equals(a.status(id4)));
        JsonNode delivered = a.message(id4);
        assertThat(delivered.get("path").asString()).isEqualTo("STORE_AND_FORWARD");
        assertThat(delivered.get("via").asString()).isEqualTo(b.id.toString());
        assertThat(delivered.get("receivedAt").isNull()).isFalse();
        JsonNode atC = c.message(id4);
        assertThat(atC.get("content").asString()).isEqualTo("four: stored and forwarded");
        assertThat(atC.get("path").asString()).isEqualTo("STORE_AND_FORWARD");
        assertThat(atC.get("via").asString()).isEqualTo(b.id.toString());
        JsonNode fromA = MessagingTestNode.JSON.readTree(c.get("/messages?peer=" + a.id + "&limit=100").body());
        assertThat(fromA.valueStream().filter(m -> m.get("id").asString().equals(id4)).count())
                .as("the target keeps exactly one copy").isEqualTo(1);
        assertThat(fromA.valueStream().map(m -> m.get("id").asString()))
                .as("everything A sent reached C (C's database outlived its restart)")
                .contains(id1, id2, id3, id4);
    }

    /** Closes A's connection to C and waits until both sides see it gone. */
    private static void disconnect(MessagingTestNode a, MessagingTestNode c) {
        a.host().disconnect(c.id);
        await().atMost(WAIT).until(() -> !a.connectedTo(c) && !c.connectedTo(a));
    }
}
