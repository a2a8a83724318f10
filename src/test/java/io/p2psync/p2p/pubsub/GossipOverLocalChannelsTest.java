package io.p2psync.p2p.pubsub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalIoHandler;
import io.netty.channel.local.LocalServerChannel;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.core.PrivateKey;
import io.p2psync.p2p.host.P2pStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Routers on real Netty event loops: streams are {@link LocalChannel} pairs served by several threads, the
 * heartbeat runs on a scheduler, and the test publishes from its own thread, so router state is touched
 * concurrently the way it is in a node.
 */
class GossipOverLocalChannelsTest {

    private static final String TOPIC = "p2p-sync";
    private static final AtomicInteger STREAMS = new AtomicInteger();

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(4, LocalIoHandler.newFactory());
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
    private final Map<PeerId, GossipsubProtocol> protocols = new HashMap<>();
    private final List<Channel> servers = new CopyOnWriteArrayList<>();
    private final List<GossipRouter> routers = new ArrayList<>();

    @AfterEach
    void stop() throws InterruptedException {
        routers.forEach(GossipRouter::close);
        scheduler.shutdownNow();
        servers.forEach(Channel::close);
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
    }

    private GossipRouter router(PrivateKey key) {
        GossipParams params = GossipParams.defaults();
        params = new GossipParams(params.d(), params.dLow(), params.dHigh(), params.dLazy(), params.gossipFactor(),
                Duration.ofMillis(50), params.fanoutTtl(), params.historyLength(), params.historyGossip(),
                params.seenTtl(), params.pruneBackoff(), params.unsubscribeBackoff(), false,
                params.maxMessageBytes(), params.maxRpcBytes(), params.maxIHaveMessages(), params.maxIHaveLength(),
                params.gossipRetransmission(), params.maxPendingRpcs(), params.maxQueuedBytes());
        GossipRouter router = GossipRouter.builder(key, (peer, ids) -> open(key.peerId(), peer, ids.get(0)))
                .params(params)
                .build();
        protocols.put(key.peerId(), new GossipsubProtocol(router));
        routers.add(router);
        return router;
    }

    /** A stream from {@code opener} to {@code target}: a one-off local server for the target's end. */
    private CompletableFuture<P2pStream> open(PeerId opener, PeerId target, String protocol) {
        CompletableFuture<P2pStream> result = new CompletableFuture<>();
        LocalAddress address = new LocalAddress("pubsub-stream-" + STREAMS.incrementAndGet());
        ChannelFuture bound = new ServerBootstrap().group(group).channel(LocalServerChannel.class)
                .childHandler(new ChannelInitializer<LocalChannel>() {
                    @Override
                    protected void initChannel(LocalChannel ch) {
                        protocols.get(target).initStream(new P2pStream(ch, opener, protocol, false));
                    }
                })
                .bind(address);
        servers.add(bound.channel());
        bound.addListener(b -> {
            if (!b.isSuccess()) {
                result.completeExceptionally(b.cause());
                return;
            }
            new Bootstrap().group(group).channel(LocalChannel.class)
                    .handler(new ChannelInitializer<LocalChannel>() {
                        @Override
                        protected void initChannel(LocalChannel ch) {
                            protocols.get(opener).initStream(new P2pStream(ch, target, protocol, true));
                        }
                    })
                    .connect(address).addListener((ChannelFuture f) -> {
                        if (f.isSuccess()) {
                            result.complete(new P2pStream(f.channel(), target, protocol, true));
                        } else {
                            result.completeExceptionally(f.cause());
                        }
                    });
        });
        return result;
    }

    @Test
    void deliversEveryMessageOnceAcrossEventLoopsWithScheduledHeartbeats() {
        List<GossipRouter> nodes = new ArrayList<>();
        Map<GossipRouter, List<String>> received = new HashMap<>();
        for (int i = 0; i < 10; i++) {
            GossipRouter r = router(PrivateKey.generate());
            List<String> inbox = new CopyOnWriteArrayList<>();
            received.put(r, inbox);
            r.subscribe(TOPIC, m -> inbox.add(new String(m.data(), StandardCharsets.UTF_8)));
            r.start(scheduler);
            nodes.add(r);
        }
        for (int i = 0; i < nodes.size(); i++) { // each node to its next three: a connected, sparse graph
            for (int k = 1; k <= 3; k++) {
                GossipRouter a = nodes.get(i);
                GossipRouter b = nodes.get((i + k) % nodes.size());
                a.peerConnected(b.self());
                b.peerConnected(a.self());
            }
        }
        await().atMost(Duration.ofSeconds(30)).until(() ->
                nodes.stream().allMatch(r -> r.meshPeers(TOPIC).size() >= 5));

        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            String text = "entry " + i;
            nodes.get(i % nodes.size()).publish(TOPIC, text.getBytes(StandardCharsets.UTF_8));
            sent.add(text);
        }

        await().atMost(Duration.ofSeconds(30)).until(() ->
                received.values().stream().allMatch(inbox -> inbox.size() >= 45));
        for (GossipRouter r : nodes) {
            List<String> expected = sent.stream().filter(t -> Integer.parseInt(t.substring(6)) % 10
                    != nodes.indexOf(r)).toList();
            assertThat(received.get(r)).containsExactlyInAnyOrderElementsOf(expected);
        }
    }
}
