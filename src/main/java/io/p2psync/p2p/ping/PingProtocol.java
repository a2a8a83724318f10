package io.p2psync.p2p.ping;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.FixedLengthFrameDecoder;
import io.p2psync.p2p.host.P2pStream;
import io.p2psync.p2p.host.ProtocolHandler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * {@code /ipfs/ping/1.0.0}: echoes payloads on inbound streams; on outbound streams, {@link #ping}
 * sends 32 random bytes and measures the round trip. One stream serves any number of pings in turn;
 * half-close it ({@code P2pStream.halfClose}) when done and the peer ends it.
 */
public final class PingProtocol implements ProtocolHandler {

    public static final String PROTOCOL_ID = "/ipfs/ping/1.0.0";
    public static final int PAYLOAD_LENGTH = 32;

    @Override
    public List<String> protocolIds() {
        return List.of(PROTOCOL_ID);
    }

    @Override
    public void initStream(P2pStream stream) {
        Channel channel = stream.channel();
        channel.pipeline().addLast(new FixedLengthFrameDecoder(PAYLOAD_LENGTH));
        channel.pipeline().addLast(stream.initiator() ? new Pinger() : new PingResponder());
    }

    /**
     * Sends one ping on an outbound ping stream that {@link #initStream} has set up.
     *
     * @return the round-trip time; fails with {@link PingException} if the echo differs, the stream ends
     *     first, or another ping on this stream is still in flight. No timeout is applied: use
     *     {@link CompletableFuture#orTimeout}.
     */
    public CompletableFuture<Duration> ping(P2pStream stream) {
        Channel channel = stream.channel();
        Pinger pinger = channel.pipeline().get(Pinger.class);
        if (pinger == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("not an outbound ping stream: " + channel));
        }
        EventLoop loop = channel.eventLoop();
        if (loop.inEventLoop()) {
            return pinger.ping();
        }
        return CompletableFuture.supplyAsync(pinger::ping, loop).thenCompose(f -> f);
    }
}
