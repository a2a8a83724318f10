package io.p2psync.p2p.noise;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.core.PrivateKey;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the XX handshake over 2-byte-length frames, checks the peer's handshake payload, and then
 * replaces itself with a {@link NoiseTransportCodec}.
 */
final class NoiseHandshakeHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(NoiseHandshakeHandler.class);

    enum State { START, AWAIT_MESSAGE_1, AWAIT_MESSAGE_2, AWAIT_MESSAGE_3, DONE }

    private final boolean initiator;
    private final PrivateKey identity;
    private final Optional<PeerId> expectedPeer;
    private final NoiseKeyPair staticKeys;
    private final HandshakeState handshake;
    private final Consumer<PeerId> onSecured;
    private final CompletableFuture<PeerId> result = new CompletableFuture<>();
    private State state = State.START;
    private ScheduledFuture<?> timeout;

    NoiseHandshakeHandler(boolean initiator, PrivateKey identity, Optional<PeerId> expectedPeer,
            NoiseKeyPair staticKeys, NoiseKeyPair ephemeralKeys, Consumer<PeerId> onSecured) {
        this.initiator = initiator;
        this.identity = identity;
        this.expectedPeer = expectedPeer;
        this.staticKeys = staticKeys;
        this.handshake = new HandshakeState(initiator, staticKeys, ephemeralKeys);
        this.onSecured = onSecured;
    }

    CompletableFuture<PeerId> result() {
        return result;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        timeout = ctx.executor().schedule(() -> fail(ctx, "no handshake within " + Noise.HANDSHAKE_TIMEOUT),
                Noise.HANDSHAKE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        if (ctx.channel().isActive()) {
            start(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        start(ctx);
        ctx.fireChannelActive();
    }

    private void start(ChannelHandlerContext ctx) {
        if (state != State.START) {
            return;
        }
        if (initiator) {
            send(ctx, handshake.writeMessage(new byte[0]));
            state = State.AWAIT_MESSAGE_2;
        } else {
            state = State.AWAIT_MESSAGE_1;
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (state == State.DONE || !(msg instanceof ByteBuf frame)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        byte[] message;
        try {
            message = ByteBufUtil.getBytes(frame);
        } finally {
            frame.release();
        }
        try {
            switch (state) {
                case AWAIT_MESSAGE_1 -> {
                    handshake.readMessage(message); // libp2p sends no payload in message 1
                    send(ctx, handshake.writeMessage(HandshakePayload.sign(identity, staticKeys.publicKey()).toWire()));
                    state = State.AWAIT_MESSAGE_3;
                }
                case AWAIT_MESSAGE_2 -> {
                    PeerId remote = authenticate(handshake.readMessage(message));
                    send(ctx, handshake.writeMessage(HandshakePayload.sign(identity, staticKeys.publicKey()).toWire()));
                    secured(ctx, remote);
                }
                case AWAIT_MESSAGE_3 -> secured(ctx, authenticate(handshake.readMessage(message)));
                default -> fail(ctx, "unexpected message in state " + state);
            }
        } catch (NoiseException e) {
            fail(ctx, e.getMessage());
        }
    }

    /** Checks that the payload binds the remote static key to its identity, and that it is the one expected. */
    private PeerId authenticate(byte[] payloadBytes) {
        HandshakePayload payload = HandshakePayload.fromWire(payloadBytes);
        if (!payload.verifies(handshake.remoteStatic())) {
            throw new NoiseException("identity signature over the static key does not verify");
        }
        PeerId remote = payload.identityKey().peerId();
        if (expectedPeer.isPresent() && !expectedPeer.get().equals(remote)) {
            throw new NoiseException("dialled " + expectedPeer.get() + " but the peer is " + remote);
        }
        return remote;
    }

    private void secured(ChannelHandlerContext ctx, PeerId remote) {
        state = State.DONE;
        timeout.cancel(false);
        CipherState[] ciphers = handshake.split();
        ctx.pipeline().replace(this, "noise-transport", new NoiseTransportCodec(ciphers[0], ciphers[1]));
        try {
            onSecured.accept(remote);
        } catch (RuntimeException e) {
            log.warn("setting up the secured connection {} failed", ctx.channel(), e);
            result.completeExceptionally(e);
            ctx.channel().close();
            return;
        }
        result.complete(remote);
    }

    private void send(ChannelHandlerContext ctx, byte[] message) {
        ctx.writeAndFlush(Unpooled.wrappedBuffer(message));
    }

    private void fail(ChannelHandlerContext ctx, String reason) {
        if (state == State.DONE) {
            return;
        }
        state = State.DONE;
        if (timeout != null) {
            timeout.cancel(false);
        }
        log.warn("noise handshake with {} failed: {}", ctx.channel().remoteAddress(), reason);
        result.completeExceptionally(new NoiseException(reason));
        ctx.channel().close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(ctx, "bad input: " + cause);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        fail(ctx, "connection closed during the handshake");
        ctx.fireChannelInactive();
    }
}
