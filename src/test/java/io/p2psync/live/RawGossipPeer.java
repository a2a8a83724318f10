package io.p2psync.live;

import com.google.protobuf.ByteString;
import io.netty.buffer.Unpooled;
import io.p2psync.p2p.core.Multiaddr;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.core.PrivateKey;
import io.p2psync.p2p.core.UnsignedVarint;
import io.p2psync.p2p.host.Host;
import io.p2psync.p2p.host.P2pStream;
import io.p2psync.p2p.host.ProtocolHandler;
import io.p2psync.p2p.pubsub.GossipRouter;
import io.p2psync.p2p.pubsub.GossipsubProtocol;
import io.p2psync.p2p.pubsub.pb.RpcProto;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A bare libp2p gossipsub peer with its own key, for tests that need a peer which misbehaves: floods, sends
 * garbage or unsigned messages. Not a p2p-sync node: no database, no checks of its own.
 */
final class RawGossipPeer implements AutoCloseable {

    final PrivateKey key = PrivateKey.generate();
    private final String topic;
    private final ScheduledExecutorService heartbeat = Executors.newSingleThreadScheduledExecutor();
    private final GossipRouter router;
    private final Host host;
    /** Payloads received on the topic, as text. */
    final List<String> received = new java.util.concurrent.CopyOnWriteArrayList<>();

    RawGossipPeer(String topic) {
        this.topic = topic;
        Host[] self = new Host[1];
        this.router = GossipRouter.builder(key, (peer, ids) -> self[0].newStream(peer, ids.toArray(String[]::new)))
                .build();
        GossipsubProtocol gossip = new GossipsubProtocol(router);
        this.host = Host.builder().privateKey(key).listen("/ip4/127.0.0.1/tcp/0")
                .protocol(gossip)
                .connectionListener(gossip.connectionListener())
                .start();
        self[0] = host;
        router.start(heartbeat);
        router.subscribe(topic, m -> received.add(new String(m.data(), StandardCharsets.UTF_8)));
    }

    PeerId id() {
        return key.peerId();
    }

    void dial(LiveTestNode node) {
        host.dial(Multiaddr.parse(node.status().get("listenAddrs").get(0).asString())).orTimeout(10, TimeUnit.SECONDS)
                .join();
    }

    boolean isConnected(LiveTestNode node) {
        return host.isConnected(node.id);
    }

    /** True once {@code node} has told this peer it is in the topic. */
    boolean seesInTopic(LiveTestNode node) {
        return router.topicPeers(topic).contains(node.id);
    }

    /** Publishes a properly signed message with this payload. */
    void publish(String payload) {
        router.publish(topic, payload.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Sends {@code node} an RPC with one message that has no origin stamp and no signature, hand-encoded on a
     * gossipsub stream of its own (the router here would sign it).
     */
    void sendUnsigned(LiveTestNode node, String payload) {
        ProtocolHandler raw = new ProtocolHandler() {
            @Override
            public List<String> protocolIds() {
                return List.of(GossipsubProtocol.MESHSUB_V11);
            }

            @Override
            public void initStream(P2pStream stream) {
                // bytes are written by hand below
            }
        };
        P2pStream stream = host.newStream(node.id, raw).orTimeout(10, TimeUnit.SECONDS).join();
        byte[] rpc = RpcProto.RPC.newBuilder().addPublish(RpcProto.Message.newBuilder().setTopic(topic)
                .setData(ByteString.copyFromUtf8(payload))).build().toByteArray();
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        UnsignedVarint.write(rpc.length, frame);
        frame.writeBytes(rpc);
        stream.channel().writeAndFlush(Unpooled.wrappedBuffer(frame.toByteArray()));
    }

    @Override
    public void close() {
        router.close();
        heartbeat.shutdownNow();
        host.close();
    }
}
