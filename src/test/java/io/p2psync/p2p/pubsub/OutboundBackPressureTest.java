package io.p2psync.p2p.pubsub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.p2psync.p2p.core.Multiaddr;
import io.p2psync.p2p.core.PrivateKey;
import io.p2psync.p2p.core.UnsignedVarint;
import io.p2psync.p2p.host.Host;
import io.p2psync.p2p.host.P2pStream;
import io.p2psync.p2p.host.ProtocolHandler;
import io.p2psync.p2p.pubsub.pb.RpcProto;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What a router queues for one peer, over each transport a node speaks (real TCP and QUIC on 127.0.0.1): a peer
 * that never reads pins a bounded number of bytes and has its stream reset, and a burst to a peer that reads
 * arrives whole, with no reset however briefly the transport's own flow control holds the bytes back.
 */
class OutboundBackPressureTest {

    private static final String TOPIC = "t";
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final List<P2pStream> opened = new CopyOnWriteArrayList<>();
    private final List<GossipRouter> routers = new ArrayList<>();
    private final List<Host> hosts = new ArrayList<>();
    private final CompletableFuture<Long> queuedAtReset = new CompletableFuture<>();

    @AfterEach
    void close() {
        routers.forEach(GossipRouter::close);
        hosts.forEach(Host::close);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/ip4/127.0.0.1/tcp/0", "/ip4/127.0.0.1/udp/0/quic-v1"})
    void queuedBytesForAPeerThatNeverReadsStayBoundedAndItsStreamIsReset(String listen) throws Exception {
        GossipRouter router = routerOn(listen);
        Host victim = hosts.get(0);
        Host reader = host(Host.builder().protocol(neverReads()));
        reader.dial(address(victim, listen)).get(20, TimeUnit.SECONDS);
        announceTopic(reader, victim);
        await().atMost(WAIT).until(() -> router.topicPeers(TOPIC).contains(reader.peerId()) && !opened.isEmpty());

        for (int i = 0; i < 200; i++) { // 12.5 MiB in all
            router.publish(TOPIC, new byte[64 * 1024]);
        }

        P2pStream stream = opened.get(0);
        await().atMost(WAIT).until(() -> !stream.channel().isOpen());
        long limit = GossipParams.defaults().maxQueuedBytes();
        assertThat(queuedAtReset.get(10, TimeUnit.SECONDS)).as("bytes waiting for the peer when its stream was reset")
                .isGreaterThan(limit).isLessThanOrEqualTo(limit + GossipParams.defaults().maxRpcBytes());
        assertThat(router.outboundOverflows()).isEqualTo(1);
    }

    /**
     * 3,000 messages of 1 KiB published at once: less than {@link GossipParams#maxQueuedBytes()} in all, so even a
     * reader that took nothing until the end would not be over the limit. On QUIC the stream stops being writable
     * whenever the peer's flow-control credit or the congestion window is used up, which says nothing of what waits.
     */
    @ParameterizedTest
    @ValueSource(strings = {"/ip4/127.0.0.1/tcp/0", "/ip4/127.0.0.1/udp/0/quic-v1"})
    void aBurstBelowTheLimitReachesAPeerThatReadsWholeAndNoStreamIsReset(String listen) throws Exception {
        int messages = 3_000;
        GossipRouter publisher = routerOn(listen);
        AtomicInteger received = new AtomicInteger();
        GossipRouter subscriber = routerOn(listen);
        subscriber.subscribe(TOPIC, m -> received.incrementAndGet());
        hosts.get(1).dial(address(hosts.get(0), listen)).get(20, TimeUnit.SECONDS);
        // own messages go to every peer known to be in the topic (flood publishing, the default)
        await().atMost(WAIT).until(() -> publisher.topicPeers(TOPIC).contains(subscriber.self()));

        for (int i = 0; i < messages; i++) {
            publisher.publish(TOPIC, new byte[1024]);
        }

        await().atMost(WAIT).until(() -> received.get() == messages || publisher.outboundOverflows() > 0);
        assertThat(publisher.outboundOverflows()).as("streams reset for back-pressure").isZero();
        assertThat(received).hasValue(messages);
    }

    /** A router on a host of its own (the same key) listening on {@code listen}; the first is subscribed to the topic. */
    private GossipRouter routerOn(String listen) {
        Host[] self = new Host[1];
        PrivateKey key = PrivateKey.generate();
        GossipRouter router = GossipRouter.builder(key,
                (peer, ids) -> self[0].newStream(peer, ids.toArray(String[]::new)).thenApply(s -> {
                    opened.add(s);
                    noteQueuedAtClose(s);
                    return s;
                })).build();
        routers.add(router);
        GossipsubProtocol gossip = new GossipsubProtocol(router);
        self[0] = host(Host.builder().privateKey(key).listen(listen).protocol(gossip).connectionListener(gossip.connectionListener()));
        if (routers.size() == 1) {
            router.subscribe(TOPIC, m -> { });
        }
        return router;
    }

    private Host host(io.p2psync.p2p.host.HostBuilder builder) {
        Host host = builder.start();
        hosts.add(host);
        return host;
    }

    private static Multiaddr address(Host host, String listen) {
        boolean quic = listen.contains("quic");
        return host.listenAddresses().stream().filter(a -> a.isQuic() == quic).findFirst().orElseThrow()
                .withPeerId(host.peerId());
    }

    /** Notes what the router's streams hold unsent when they are closed. */
    private void noteQueuedAtClose(P2pStream stream) {
        stream.channel().pipeline().addLast(new ChannelOutboundHandlerAdapter() {
            @Override
            public void close(ChannelHandlerContext ctx, ChannelPromise promise) throws Exception {
                queuedAtReset.complete(QueuedBytes.of(ctx.channel()));
                super.close(ctx, promise);
            }
        });
    }

    /** Streams the victim opens to the reader are never read: their window is never returned. */
    private static ProtocolHandler neverReads() {
        return new ProtocolHandler() {
            @Override
            public List<String> protocolIds() {
                return GossipsubProtocol.PROTOCOL_IDS;
            }

            @Override
            public void initStream(P2pStream stream) {
                stream.channel().config().setAutoRead(false);
            }
        };
    }

    private static void announceTopic(Host reader, Host victim) throws Exception {
        P2pStream out = reader.newStream(victim.peerId(), GossipsubProtocol.MESHSUB_V11).get(20, TimeUnit.SECONDS);
        byte[] rpc = RpcProto.RPC.newBuilder()
                .addSubscriptions(RpcProto.RPC.SubOpts.newBuilder().setSubscribe(true).setTopicid(TOPIC))
                .build().toByteArray();
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        UnsignedVarint.write(rpc.length, frame);
        frame.writeBytes(rpc);
        out.channel().writeAndFlush(Unpooled.wrappedBuffer(frame.toByteArray())).sync();
    }
}
