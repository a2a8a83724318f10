package io.p2psync.p2p.pubsub;

import io.p2psync.testing.ManualClock;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.core.PrivateKey;
import io.p2psync.p2p.host.P2pStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Gossipsub routers joined by in-memory streams: each stream is a pair of {@link EmbeddedChannel}s with the
 * real pubsub pipeline, and {@link #pump()} carries the encoded frames from one to the other until nothing moves.
 * Everything runs on the test thread with one manual clock and seeded randomness, so a run is reproducible.
 * Every frame buffer that crosses the network is kept, to prove at the end that all of them were released.
 */
final class SimulatedNetwork implements AutoCloseable {

    /** One router with what it delivered and dropped. */
    static final class Node {
        final PrivateKey key;
        final PeerId id;
        GossipRouter router;
        GossipsubProtocol protocol;
        final List<PubsubMessage> delivered = new CopyOnWriteArrayList<>();
        final List<MessageDrop> drops = new CopyOnWriteArrayList<>();

        Node(PrivateKey key) {
            this.key = key;
            this.id = key.peerId();
        }

        void subscribe(String topic) {
            router.subscribe(topic, delivered::add);
        }

        List<MessageDrop> drops(MessageDrop.Reason reason) {
            return drops.stream().filter(d -> d.reason() == reason).toList();
        }
    }

    private record Pipe(EmbeddedChannel from, EmbeddedChannel to) {
    }

    final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final Random random = new Random(42);
    private final Map<PeerId, Node> nodes = new LinkedHashMap<>();
    private final List<Pipe> pipes = new ArrayList<>();
    private final List<ByteBuf> carried = new ArrayList<>();
    /** Both ends of each stream, by opener and target. */
    private final Map<List<PeerId>, List<EmbeddedChannel>> streamsByPair = new java.util.HashMap<>();
    /** Attempts to open a stream to a peer that has no router here. */
    final Map<PeerId, Integer> failedOpens = new java.util.concurrent.ConcurrentHashMap<>();

    /** Adds a node whose router allows every peer. */
    Node add(GossipParams params) {
        return add(params, peer -> true);
    }

    Node add(GossipParams params, Predicate<PeerId> peerFilter) {
        return add(b -> b.params(params).peerFilter(peerFilter));
    }

    /** Adds a node, letting the test finish configuring its router (clock and randomness are the network's). */
    Node add(Function<GossipRouter.Builder, GossipRouter.Builder> configure) {
        byte[] seed = new byte[32];
        random.nextBytes(seed); // seeded keys too: peer order, and so every random choice, repeats run to run
        Node node = new Node(PrivateKey.fromSeed(seed));
        GossipRouter.Builder builder = GossipRouter.builder(node.key, (peer, ids) -> openStream(node, peer, ids))
                .clock(clock)
                .random(new Random(random.nextLong()))
                .dropListener(node.drops::add);
        node.router = configure.apply(builder).build();
        node.protocol = new GossipsubProtocol(node.router);
        nodes.put(node.id, node);
        return node;
    }

    List<Node> nodes() {
        return List.copyOf(nodes.values());
    }

    /** Both routers learn of the connection, as a host would tell them; then frames are pumped. */
    void connect(Node a, Node b) {
        a.router.peerConnected(b.id);
        b.router.peerConnected(a.id);
        pump();
    }

    /** Moves frames between every stream pair until no channel has anything left to send. */
    void pump() {
        boolean moved = true;
        while (moved) {
            moved = false;
            for (Pipe pipe : List.copyOf(pipes)) {
                pipe.from().runPendingTasks(); // routers hand their writes to the event loop
                Object frame;
                while ((frame = pipe.from().readOutbound()) != null) {
                    moved = true;
                    ByteBuf buf = (ByteBuf) frame;
                    carried.add(buf);
                    if (pipe.to().isOpen()) {
                        pipe.to().writeInbound(buf);
                    } else {
                        ReferenceCountUtil.release(buf);
                    }
                }
            }
        }
    }

    /** Moves the clock one heartbeat interval, runs every router's heartbeat and pumps after each. */
    void heartbeat(Duration interval) {
        clock.advance(interval);
        for (Node node : nodes.values()) {
            node.router.heartbeat();
            pump();
        }
    }

    void heartbeats(int count, Duration interval) {
        for (int i = 0; i < count; i++) {
            heartbeat(interval);
        }
    }

    /** Closes both ends of every stream {@code opener} opened to {@code target}, as a stream reset would. */
    void closeStreamsFrom(Node opener, Node target) {
        streamsByPair.getOrDefault(List.of(opener.id, target.id), List.of()).forEach(EmbeddedChannel::close);
        pump();
    }

    /** Asserts that every frame carried so far was released by the receiving pipeline. */
    void assertAllFramesReleased() {
        assertThat(carried).isNotEmpty().allSatisfy(buf -> assertThat(buf.refCnt()).isZero());
    }

    @Override
    public void close() {
        for (Pipe pipe : pipes) {
            pipe.from().finishAndReleaseAll();
            pipe.to().finishAndReleaseAll();
        }
    }

    private CompletableFuture<P2pStream> openStream(Node opener, PeerId target, List<String> protocolIds) {
        Node remote = nodes.get(target);
        if (remote == null) {
            failedOpens.merge(target, 1, Integer::sum);
            return CompletableFuture.failedFuture(new IllegalStateException("no such node " + target));
        }
        String protocol = protocolIds.get(0);
        EmbeddedChannel outbound = new EmbeddedChannel();
        EmbeddedChannel inbound = new EmbeddedChannel();
        P2pStream ours = new P2pStream(outbound, target, protocol, true);
        opener.protocol.initStream(ours);
        remote.protocol.initStream(new P2pStream(inbound, opener.id, protocol, false));
        streamsByPair.computeIfAbsent(List.of(opener.id, target), k -> new ArrayList<>()).addAll(List.of(outbound, inbound));
        pipes.add(new Pipe(outbound, inbound));
        pipes.add(new Pipe(inbound, outbound));
        return CompletableFuture.completedFuture(ours);
    }
}
