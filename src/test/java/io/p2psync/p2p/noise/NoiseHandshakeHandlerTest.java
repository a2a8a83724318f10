package io.p2psync.p2p.noise;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.core.PrivateKey;
import io.p2psync.p2p.testing.ChannelPair;
import io.p2psync.p2p.testing.Collector;
import java.util.Arrays;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class NoiseHandshakeHandlerTest {

    private final PrivateKey dialerKey = PrivateKey.generate();
    private final PrivateKey listenerKey = PrivateKey.generate();
    private final EmbeddedChannel dialer = new EmbeddedChannel();
    private final EmbeddedChannel listener = new EmbeddedChannel();
    private final ChannelPair pair = new ChannelPair(dialer, listener);
    private final Collector dialerApp = new Collector();
    private final Collector listenerApp = new Collector();

    @AfterEach
    void releaseWhatIsLeft() {
        dialer.finishAndReleaseAll();
        listener.finishAndReleaseAll();
    }

    private CompletableFuture<PeerId> dial(Optional<PeerId> expected) {
        return Noise.secure(dialer.pipeline(), true, dialerKey, expected, peer -> dialer.pipeline().addLast(dialerApp));
    }

    private CompletableFuture<PeerId> listen() {
        return Noise.secure(listener.pipeline(), false, listenerKey, Optional.empty(),
                peer -> listener.pipeline().addLast(listenerApp));
    }

    @Test
    void authenticatesBothPeersAndCarriesDataBothWays() {
        CompletableFuture<PeerId> dialed = dial(Optional.of(listenerKey.peerId()));
        CompletableFuture<PeerId> accepted = listen();

        pair.pump();

        assertThat(dialed).isCompletedWithValue(listenerKey.peerId());
        assertThat(accepted).isCompletedWithValue(dialerKey.peerId());
        assertThat(dialer.pipeline().get(NoiseHandshakeHandler.class)).isNull();
        assertThat(dialer.pipeline().get(NoiseTransportCodec.class)).isNotNull();

        dialer.writeAndFlush(Unpooled.copiedBuffer("hello".getBytes()));
        listener.writeAndFlush(Unpooled.copiedBuffer("world".getBytes()));
        pair.pump();

        assertThat(listenerApp.bytes()).isEqualTo("hello".getBytes());
        assertThat(dialerApp.bytes()).isEqualTo("world".getBytes());
        assertThat(pair.allDeliveredReleased()).isTrue();
        assertThat(dialer.finishAndReleaseAll()).isFalse();
        assertThat(listener.finishAndReleaseAll()).isFalse();
    }

    @Test
    void splitsWritesLargerThanOneNoiseMessage() {
        dial(Optional.empty());
        listen();
        pair.pump();
        byte[] big = new byte[3 * NoiseTransportCodec.MAX_PLAINTEXT + 17];
        new Random(1).nextBytes(big);

        dialer.writeAndFlush(Unpooled.wrappedBuffer(big));
        int frames = dialer.outboundMessages().size();
        pair.pump();

        assertThat(frames).isGreaterThanOrEqualTo(4);
        assertThat(listenerApp.bytes()).isEqualTo(big);
        assertThat(pair.allDeliveredReleased()).isTrue();
    }

    @Test
    void refusesAPeerOtherThanTheOneDialled() {
        PeerId someoneElse = PrivateKey.generate().peerId();
        CompletableFuture<PeerId> dialed = dial(Optional.of(someoneElse));
        CompletableFuture<PeerId> accepted = listen();

        pair.pump();

        assertThat(dialed).isCompletedExceptionally();
        assertThat(failure(dialed)).isInstanceOf(NoiseException.class).hasMessageContaining(someoneElse.toString());
        assertThat(dialer.isOpen()).isFalse();
        listener.close(); // the TCP close the dialer's close would cause
        assertThat(accepted).isCompletedExceptionally();
        assertThat(dialerApp.bytes()).isEmpty();
        assertThat(pair.allDeliveredReleased()).isTrue();
    }

    @Test
    void refusesAStaticKeySignedForAnotherKey() {
        CompletableFuture<PeerId> dialed = dial(Optional.empty());
        // Play the responder by hand, signing a static key other than the one used.
        HandshakeState responder = new HandshakeState(false, NoiseKeyPair.generate(), NoiseKeyPair.generate());
        responder.readMessage(Arrays.copyOfRange(ChannelPair.drain(dialer), 2, 34));
        byte[] forged = HandshakePayload.sign(listenerKey, NoiseKeyPair.generate().publicKey()).toWire();
        byte[] m2 = responder.writeMessage(forged);

        ByteBuf in = frame(m2);
        dialer.writeInbound(in);

        assertThat(failure(dialed)).hasMessageContaining("does not verify");
        assertThat(dialer.isOpen()).isFalse();
        assertThat(in.refCnt()).isZero();
    }

    @Test
    void closesTheConnectionOnATamperedTransportFrame() {
        dial(Optional.empty());
        listen();
        pair.pump();
        dialer.writeAndFlush(Unpooled.copiedBuffer("secret".getBytes()));
        ByteBuf frame = Unpooled.wrappedBuffer(ChannelPair.drain(dialer));
        frame.setByte(5, frame.getByte(5) ^ 0x40);

        listener.writeInbound(frame);

        assertThat(listener.isOpen()).isFalse();
        assertThat(listenerApp.bytes()).isEmpty();
        assertThat(frame.refCnt()).isZero();
    }

    @Test
    void closesOnGarbageInsteadOfAHandshake() {
        CompletableFuture<PeerId> accepted = listen();
        ByteBuf in = frame(new byte[10]);

        listener.writeInbound(in);

        assertThat(accepted).isCompletedExceptionally();
        assertThat(listener.isOpen()).isFalse();
        assertThat(in.refCnt()).isZero();
    }

    @Test
    void givesUpOnAPeerThatStopsMidHandshake() {
        CompletableFuture<PeerId> dialed = dial(Optional.empty());
        listen();
        dialer.runPendingTasks();
        ChannelPair.drain(dialer); // message 1 is lost: the listener never answers
        dialer.advanceTimeBy(Noise.HANDSHAKE_TIMEOUT.toMillis() + 1, TimeUnit.MILLISECONDS);
        dialer.runScheduledPendingTasks();

        assertThat(dialed).isCompletedExceptionally();
        assertThat(dialer.isOpen()).isFalse();
        listener.finishAndReleaseAll();
    }

    private static Throwable failure(CompletableFuture<?> future) {
        assertThat(future).isCompletedExceptionally();
        return future.handle((value, error) -> error).join();
    }

    private static ByteBuf frame(byte[] message) {
        return Unpooled.buffer().writeShort(message.length).writeBytes(message);
    }
}
