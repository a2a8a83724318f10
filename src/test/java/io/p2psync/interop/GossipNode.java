package io.p2psync.interop;

import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.core.PrivateKey;
import io.p2psync.p2p.host.Connection;
import io.p2psync.p2p.host.ConnectionListener;
import io.p2psync.p2p.pubsub.GossipRouter;
import io.p2psync.p2p.pubsub.GossipsubProtocol;
import java.nio.charset.StandardCharsets;
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
    private final List<String> received = new CopyOnWriteArrayList<>();
    private final List<PeerId> senders = new CopyOnWriteArrayList<>();

    private GossipNode(PrivateKey key, Predicate<PeerId> authorized) {
        AtomicReference<JavaNode> self = new AtomicReference<>();
        router = GossipRouter.builder(key, (peer, ids) -> self.get().host().newStream(peer, ids.toArray(String[]::new)))
                .peerFilter(authorized)
                .build();
        node = JavaNode.start(key, b -> b.protocol(new GossipsubProtocol(router)).connectionListener(new ConnectionListener() {
            @Override
            public void connected(Connection connection) {
                router.peerConnected(connection.remotePeer());
            }

            @Override
            public void disconnected(Connection connection) {
                router.peerDisconnected(connection.remotePeer());
            }
        }));
        self.set(node);
        router.start(heartbeat);
    }

    public static GossipNode start(PrivateKey key, Predicate<PeerId> authorized) {
        return new GossipNode(key, authorized);
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

    /** Subscribes and records every delivered message as UTF-8, with its author. */
    public void subscribe(String topic) {
        router.subscribe(topic, m -> {
            received.add(new String(m.data(), StandardCharsets.UTF_8));
            senders.add(m.from());
        });
    }

    public void publish(String topic, String data) {
        router.publish(topic, data.getBytes(StandardCharsets.UTF_8));
    }

    public List<String> received() {
        return received;
    }

    /** The author of the first delivered message equal to {@code data}. */
    public PeerId authorOf(String data) {
        return senders.get(received.indexOf(data));
    }

    @Override
    public void close() {
        router.close();
        heartbeat.shutdownNow();
        node.close();
    }
}
