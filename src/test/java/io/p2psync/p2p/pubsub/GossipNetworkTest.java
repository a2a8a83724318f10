package io.p2psync.p2p.pubsub;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.pubsub.SimulatedNetwork.Node;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Many routers over in-memory streams with the real pubsub pipeline; deterministic (manual clock, seeded random). */
class GossipNetworkTest {

    private static final String TOPIC = "p2p-sync";
    private static final Duration HEARTBEAT = GossipParams.defaults().heartbeatInterval();

    private final SimulatedNetwork net = new SimulatedNetwork();

    @AfterEach
    void close() {
        net.close();
    }

    /** 14 nodes, a ring plus random chords, so every node has at least 7 peers and most messages need hops. */
    private List<Node> sparseNetwork(GossipParams params) {
        int n = 14;
        for (int i = 0; i < n; i++) {
            net.add(params);
        }
        List<Node> nodes = net.nodes();
        nodes.forEach(node -> node.subscribe(TOPIC));
        Random random = new Random(7);
        boolean[][] linked = new boolean[n][n];
        for (int i = 0; i < n; i++) {
            link(nodes, linked, i, (i + 1) % n);
            while (degree(linked, i) < 7) {
                link(nodes, linked, i, random.nextInt(n));
            }
        }
        return nodes;
    }

    private void link(List<Node> nodes, boolean[][] linked, int a, int b) {
        if (a != b && !linked[a][b]) {
            linked[a][b] = linked[b][a] = true;
            net.connect(nodes.get(a), nodes.get(b));
        }
    }

    private static int degree(boolean[][] linked, int i) {
        int d = 0;
        for (boolean l : linked[i]) {
            d += l ? 1 : 0;
        }
        return d;
    }

    @Test
    void publishReachesEverySubscriberExactlyOnce() {
        assertEveryMessageDeliveredOnce(GossipParams.defaults().withFloodPublish(false));
    }

    @Test
    void floodPublishedMessageReachesEverySubscriberExactlyOnce() {
        assertEveryMessageDeliveredOnce(GossipParams.defaults());
    }

    private void assertEveryMessageDeliveredOnce(GossipParams params) {
        List<Node> nodes = sparseNetwork(params);
        net.heartbeats(3, HEARTBEAT);

        List<Node> publishers = List.of(nodes.get(0), nodes.get(3), nodes.get(6), nodes.get(9), nodes.get(12));
        for (int i = 0; i < publishers.size(); i++) {
            publishers.get(i).router.publish(TOPIC, ("change " + i).getBytes(StandardCharsets.UTF_8));
            net.pump();
        }

        for (Node node : nodes) {
            int own = publishers.contains(node) ? 1 : 0;
            assertThat(node.delivered).hasSize(publishers.size() - own);
            assertThat(node.delivered).doesNotHaveDuplicates();
            assertThat(node.delivered).noneMatch(m -> m.from().equals(node.id));
        }
        // the mesh carries copies along several paths; the seen cache is what keeps deliveries single
        assertThat(nodes).anySatisfy(node -> assertThat(node.drops(MessageDrop.Reason.DUPLICATE)).isNotEmpty());
        net.assertAllFramesReleased();
    }

    @Test
    void meshDegreeStaysWithinBoundsAfterHeartbeats() {
        GossipParams params = GossipParams.defaults();
        // a dense network: every node sees 15 others, more than D_high, so the heartbeat must prune as well as graft
        for (int i = 0; i < 16; i++) {
            net.add(params);
        }
        List<Node> nodes = net.nodes();
        nodes.forEach(node -> node.subscribe(TOPIC));
        for (int i = 0; i < nodes.size(); i++) {
            for (int j = i + 1; j < nodes.size(); j++) {
                net.connect(nodes.get(i), nodes.get(j));
            }
        }

        for (int round = 0; round < 10; round++) {
            net.heartbeat(HEARTBEAT);
        }
        for (Node node : nodes) {
            assertThat(node.router.meshPeers(TOPIC)).hasSizeBetween(params.dLow(), params.dHigh());
            for (PeerId peer : node.router.meshPeers(TOPIC)) {
                Node other = nodes.stream().filter(n -> n.id.equals(peer)).findFirst().orElseThrow();
                assertThat(other.router.meshPeers(TOPIC)).as("mesh links are symmetric").contains(node.id);
            }
        }
    }

    @Test
    void heartbeatGraftsBelowDLowAndPrunesAboveDHigh() {
        GossipParams params = GossipParams.defaults().withDegree(2, 1, 3, 2);
        Node hub = net.add(params);
        List<Node> leaves = List.of(net.add(params), net.add(params), net.add(params), net.add(params), net.add(params));
        hub.subscribe(TOPIC);
        for (Node leaf : leaves) {
            leaf.subscribe(TOPIC);
            net.connect(hub, leaf);
        }
        for (Node leaf : leaves) {
            leaf.router.heartbeat(); // each leaf is below D_low and has only the hub: GRAFT
            net.pump();
        }
        assertThat(hub.router.meshPeers(TOPIC)).hasSize(5); // over D_high = 3 until the hub's heartbeat

        hub.router.heartbeat();
        net.pump();

        assertThat(hub.router.meshPeers(TOPIC)).hasSize(2);
        assertThat(leaves).filteredOn(l -> l.router.meshPeers(TOPIC).isEmpty()).hasSize(3);
        net.heartbeats(5, HEARTBEAT); // the pruned leaves are in backoff and do not come back
        assertThat(hub.router.meshPeers(TOPIC)).hasSize(2);
    }

    @Test
    void prunedPeerDoesNotGraftAgainUntilBackoffEnds() {
        GossipParams params = GossipParams.defaults();
        Node a = net.add(params);
        Node b = net.add(params);
        a.subscribe(TOPIC);
        b.subscribe(TOPIC);
        net.connect(a, b);
        net.heartbeat(HEARTBEAT);
        assertThat(a.router.meshPeers(TOPIC)).containsExactly(b.id);

        b.router.unsubscribe(TOPIC); // PRUNE with the 10 s unsubscribe backoff
        net.pump();
        b.subscribe(TOPIC);
        net.pump();
        assertThat(a.router.meshPeers(TOPIC)).isEmpty();

        // a is below D_low and b is its only candidate, yet neither grafts while the backoff runs
        for (int i = 0; i < 9; i++) {
            net.heartbeat(HEARTBEAT);
            assertThat(a.router.meshPeers(TOPIC)).isEmpty();
            assertThat(b.router.meshPeers(TOPIC)).isEmpty();
        }
        net.heartbeats(3, HEARTBEAT); // 10 s backoff + one heartbeat of slack are over

        assertThat(a.router.meshPeers(TOPIC)).containsExactly(b.id);
        assertThat(b.router.meshPeers(TOPIC)).containsExactly(a.id);
    }

    @Test
    void graftDuringBackoffIsAnsweredWithPrune() {
        GossipParams params = GossipParams.defaults();
        Node a = net.add(params);
        Node b = net.add(params);
        a.subscribe(TOPIC);
        b.subscribe(TOPIC);
        net.connect(a, b);
        net.heartbeat(HEARTBEAT);
        b.router.unsubscribe(TOPIC); // PRUNE, 10 s backoff on both sides
        b.subscribe(TOPIC);
        net.pump();

        // a misbehaving a grafts at once; b refuses with a PRUNE that carries the full 60 s backoff
        b.router.handleRpc(a.id, Rpc.ofControl(new ControlMessage(List.of(), List.of(),
                List.of(new ControlMessage.Graft(TOPIC)), List.of())));
        net.pump();
        assertThat(b.router.meshPeers(TOPIC)).doesNotContain(a.id);

        net.heartbeats(20, HEARTBEAT); // long past the 10 s unsubscribe backoff, within the 60 s one
        assertThat(a.router.meshPeers(TOPIC)).isEmpty();
        assertThat(b.router.meshPeers(TOPIC)).isEmpty();
        net.heartbeats(45, HEARTBEAT);
        assertThat(a.router.meshPeers(TOPIC)).containsExactly(b.id);
    }

    @Test
    void ihaveAndIwantRecoverAMessageThatWasNotSentDirectly() {
        // no mesh (D = 0) and no flood publishing: the only way to b is gossip
        GossipParams params = GossipParams.defaults().withDegree(0, 0, 0, 6).withFloodPublish(false);
        Node a = net.add(params);
        Node b = net.add(params);
        a.subscribe(TOPIC);
        b.subscribe(TOPIC);
        net.connect(a, b);

        MessageId id = a.router.publish(TOPIC, "only by gossip".getBytes(StandardCharsets.UTF_8));
        net.pump();
        assertThat(b.delivered).isEmpty();

        net.heartbeat(HEARTBEAT); // a: IHAVE -> b: IWANT -> a: the message

        assertThat(b.delivered).singleElement().satisfies(m -> assertThat(MessageIdFunction.PUBLIC_KEY_AND_SEQNO.apply(m)).isEqualTo(id));

        net.heartbeats(4, HEARTBEAT); // the id is still gossiped, but b has seen it and asks no more
        assertThat(b.delivered).hasSize(1);
        net.assertAllFramesReleased();
    }

    @Test
    void unauthorizedPeerNeitherReceivesNorInjects() {
        GossipParams params = GossipParams.defaults();
        PeerId[] intruder = new PeerId[1];
        Node a = net.add(params, peer -> !peer.equals(intruder[0]));
        Node b = net.add(params, peer -> !peer.equals(intruder[0]));
        Node u = net.add(params);
        intruder[0] = u.id;
        for (Node n : List.of(a, b, u)) {
            n.subscribe(TOPIC);
        }
        net.connect(a, b);
        net.connect(a, u);
        net.connect(b, u);
        net.heartbeats(2, HEARTBEAT);

        a.router.publish(TOPIC, "for devices only".getBytes(StandardCharsets.UTF_8));
        net.pump();
        net.heartbeats(3, HEARTBEAT); // gossip must not leak it either
        // u never learns that a and b are subscribed, so it has to push its message unasked, with an IHAVE
        PubsubMessage injected = new MessageSigner(u.key).sign(TOPIC, "injected".getBytes(StandardCharsets.UTF_8), 1);
        Rpc push = new Rpc(List.of(), List.of(injected), new ControlMessage(
                List.of(new ControlMessage.IHave(TOPIC, List.of(MessageIdFunction.PUBLIC_KEY_AND_SEQNO.apply(injected)))), List.of(), List.of(), List.of()));
        a.router.handleRpc(u.id, push);
        b.router.handleRpc(u.id, push);
        net.pump();
        net.heartbeats(3, HEARTBEAT);

        assertThat(b.delivered).extracting(m -> new String(m.data(), StandardCharsets.UTF_8))
                .containsExactly("for devices only");
        assertThat(u.delivered).isEmpty();
        assertThat(a.delivered).isEmpty();
        assertThat(a.drops(MessageDrop.Reason.UNAUTHORIZED_PEER)).isNotEmpty();
        assertThat(b.drops(MessageDrop.Reason.UNAUTHORIZED_PEER)).isNotEmpty();
        assertThat(a.router.meshPeers(TOPIC)).doesNotContain(u.id);
    }

    @Test
    void peerAuthorizedLaterJoinsAtTheNextHeartbeat() {
        GossipParams params = GossipParams.defaults();
        boolean[] authorized = {false};
        Node a = net.add(params, peer -> authorized[0]);
        Node b = net.add(params);
        a.subscribe(TOPIC);
        b.subscribe(TOPIC);
        net.connect(a, b);
        net.heartbeat(HEARTBEAT);
        assertThat(a.router.meshPeers(TOPIC)).isEmpty();

        authorized[0] = true;
        net.heartbeats(2, HEARTBEAT);
        a.router.publish(TOPIC, "welcome".getBytes(StandardCharsets.UTF_8));
        net.pump();

        assertThat(a.router.meshPeers(TOPIC)).containsExactly(b.id);
        assertThat(b.delivered).hasSize(1);
    }

    @Test
    void publishingToATopicNotJoinedUsesFanout() {
        GossipParams params = GossipParams.defaults().withFloodPublish(false);
        Node publisher = net.add(params);
        List<Node> subscribers = List.of(net.add(params), net.add(params), net.add(params));
        for (Node s : subscribers) {
            s.subscribe(TOPIC);
            net.connect(publisher, s);
        }

        publisher.router.publish(TOPIC, "from outside".getBytes(StandardCharsets.UTF_8));
        net.pump();

        assertThat(subscribers).allSatisfy(s -> assertThat(s.delivered).hasSize(1));
        assertThat(publisher.router.meshPeers(TOPIC)).isEmpty();
    }

    @Test
    void dialsAPeerWithoutGossipsubLessAndLessOften() {
        GossipParams params = GossipParams.defaults();
        Node a = net.add(params);
        a.subscribe(TOPIC);
        PeerId stranger = io.p2psync.p2p.core.PrivateKey.generate().peerId(); // no router: opening fails

        a.router.peerConnected(stranger);
        a.router.handleRpc(stranger, Rpc.ofSubscriptions(List.of(new Rpc.Subscription(true, TOPIC))));
        assertThat(net.failedOpens.get(stranger)).isEqualTo(1);

        net.heartbeats(15, HEARTBEAT); // attempts after 1, 2, 4 and 8 more seconds: t = 1, 3, 7, 15

        assertThat(net.failedOpens.get(stranger)).isEqualTo(5);
        assertThat(a.router.topicPeers(TOPIC)).containsExactly(stranger); // what it announced is kept
        assertThat(a.router.meshPeers(TOPIC)).isEmpty(); // but without a stream it is in no mesh
        a.router.peerConnected(stranger); // a new connection is tried at once
        assertThat(net.failedOpens.get(stranger)).isEqualTo(6);
    }

    @Test
    void keepsAPeersTopicsWhenItsStreamFailsOnceAndMeshesItAgain() {
        GossipParams params = GossipParams.defaults();
        Node a = net.add(params);
        Node b = net.add(params);
        a.subscribe(TOPIC);
        b.subscribe(TOPIC);
        net.connect(a, b);
        net.heartbeat(HEARTBEAT);
        assertThat(a.router.meshPeers(TOPIC)).containsExactly(b.id);

        net.closeStreamsFrom(a, b); // a's outbound stream to b dies; the connection stays

        net.heartbeats(2, HEARTBEAT);
        a.router.publish(TOPIC, "still there".getBytes(StandardCharsets.UTF_8));
        net.pump();
        assertThat(a.router.topicPeers(TOPIC)).containsExactly(b.id);
        assertThat(b.delivered).hasSize(1);
    }
}
