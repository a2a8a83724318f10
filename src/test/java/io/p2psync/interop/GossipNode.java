package io.p2psync.interop;

import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.core.PrivateKey;
import io.p2psync.p2p.pubsub.GossipRouter;
import io.p2psync.p2p.pubsub.GossipsubProtocol;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/**
 * A {@link JavaNode} with a gossipsub router wired the way the service wires it: the host serves
 * {@code /meshsub/1.1.0} and {@code /meshsub/1.0.0}, tells the router when peers come and go, and opens
 * its streams; only peers that {@code authorized} accepts exchange pubsub data.
 */
public final class GossipNode implements AutoCloseable {

    private final JavaNode node;
    private final GossipRouter router;
    private final ScheduledExecutorService heartbeat = Executors.newSingleThreadScheduledExecutor();
    private final List<Received> received = new CopyOnWriteArrayList<>();

    private GossipNode(PrivateKey key, Predicate<PeerId> authorized, List<String> listen) {
        AtomicReference<JavaNode> self = new AtomicReference<>();
        router = GossipRouter.builder(key, (peer, ids) -> self.get().host().newStream(peer, ids.toArray(String[]::new)))
                .peerFilter(authorized)
                .build();
        GossipsubProtocol gossip = new GossipsubProtocol(router);
        node = JavaNode.start(key, listen, b -> b.protocol(gossip).connectionListener(gossip.connectionListener()));
        self.set(node);
        router.start(heartbeat);
    }

    public static GossipNode start(PrivateKey key, Predicate<PeerId> authorized) {
        return new GossipNode(key, authorized, JavaNode.TCP);
    }

    /** @param listen the node's listen multiaddrs, e.g. {@link JavaNode#TCP_AND_QUIC} */
    public static GossipNode start(PrivateKey key, Predicate<PeerId> authorized, List<String> listen) {
        return new GossipNode(key, authorized, listen);
    }

    public JavaNode node() {
        return node;
    }

    public PeerId peerId() {
        return node.peerId();
    }

    public GossipRouter router() {
        return router;
    }

    /** Subscribes and records every delivered message as UTF-8, with its author and arrival time. */
    public void subscribe(String topic) {
        router.subscribe(topic, m -> received.add(new Received(new String(m.data(), StandardCharsets.UTF_8), m.from(),
                epochMillis(Instant.now()))));
    }

    public void publish(String topic, String data) {
        router.publish(topic, data.getBytes(StandardCharsets.UTF_8));
    }

    /** The data of every delivered message, in order of arrival. */
    public List<String> received() {
        return received.stream().map(Received::data).toList();
    }

    /** Every delivered message with its author and arrival time. */
    public List<Received> deliveries() {
        return List.copyOf(received);
    }

    /** The author of the first delivered message equal to {@code data}. */
    public PeerId authorOf(String data) {
        return received.stream().filter(r -> r.data().equals(data)).findFirst().orElseThrow().from();
    }

    /** Wall-clock milliseconds with sub-millisecond precision, comparable with js {@code performance.timeOrigin + now()}. */
    public static double epochMillis(Instant t) {
        return t.getEpochSecond() * 1000.0 + t.getNano() / 1e6;
    }

    /** A delivered message; {@code atMillis} is wall-clock time as from {@link #epochMillis}. */
    public record Received(String data, PeerId from, double atMillis) {
    }

    @Override
    public void close() {
        router.close();
        heartbeat.shutdownNow();
        node.close();
    }
}
