package io.p2psync.p2p.pubsub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelOutboundBuffer;
import io.p2psync.p2p.core.UnsignedVarint;
import io.p2psync.p2p.host.Host;
import io.p2psync.p2p.host.P2pStream;
import io.p2psync.p2p.host.ProtocolHandler;
import io.p2psync.p2p.pubsub.pb.RpcProto;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A gossipsub peer that announces the topic and then never reads what it is sent (real TCP on 127.0.0.1):
 * the router must not queue for it without bound.
 */
class SlowReaderTest {

    private static final String TOPIC = "t";
    private static final int MESSAGE_BYTES = 64 * 1024;
    private static final int MESSAGES = 200; // 12.5 MiB in all

    private final List<P2pStream> opened = new CopyOnWriteArrayList<>();
    private Host victim;
    private Host reader;
    private GossipRouter router;

    @AfterEach
    void close() {
        if (router != null) {
            router.close();
        }
        if (victim != null) {
            victim.close();
        }
        if (reader != null) {
            reader.close();
        }
    }

    @Test
    void queuedBytesForAPeerThatNeverReadsStayBoundedAndItsStreamIsReset() throws Exception {
        Host[] self = new Host[1];
        router = GossipRouter.builder(io.p2psync.p2p.core.PrivateKey.generate(),
                (peer, ids) -> self[0].newStream(peer, ids.toArray(String[]::new)).thenApply(s -> {
                    opened.add(s);
                    return s;
                })).build();
        GossipsubProtocol gossip = new GossipsubProtocol(router);
        victim = Host.builder().listen("/ip4/127.0.0.1/tcp/0").protocol(gossip)
                .connectionListener(gossip.connectionListener()).start();
        self[0] = victim;
        router.subscribe(TOPIC, m -> { });
        reader = Host.builder().protocol(neverReads()).start();
        reader.dial(victim.listenAddresses().get(0).withPeerId(victim.peerId())).get(20, TimeUnit.SECONDS);
        announceTopic();
        await().atMost(Duration.ofSeconds(20)).until(() -> router.topicPeers(TOPIC).contains(reader.peerId())
                && !opened.isEmpty());

        for (int i = 0; i < MESSAGES; i++) {
            router.publish(TOPIC, new byte[MESSAGE_BYTES]);
        }
        P2pStream stream = opened.get(0);
        // writes run on the stream's event loop in order: once this task has run, all of them have
        CompletableFuture<Long> queued = new CompletableFuture<>();
        stream.channel().eventLoop().execute(() -> queued.complete(queuedBytes(stream)));

        long bound = GossipParams.defaults().maxQueuedBytes() + GossipParams.defaults().maxRpcBytes();
        assertThat(queued.get(20, TimeUnit.SECONDS)).as("bytes queued for the peer").isLessThan(bound);
        assertThat(stream.channel().isOpen()).as("the stream to the peer that never reads").isFalse();
        assertThat(router.outboundOverflows()).isEqualTo(1);
    }

    private static long queuedBytes(P2pStream stream) {
        ChannelOutboundBuffer buffer = stream.channel().unsafe().outboundBuffer();
        return buffer == null ? 0 : buffer.totalPendingWriteBytes();
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

    private void announceTopic() throws Exception {
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
