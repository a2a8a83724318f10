package io.p2psync.p2p.noise;

import static io.p2psync.testing.Futures.failure;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.core.PrivateKey;
import io.p2psync.p2p.testing.Collector;
import io.p2psync.testing.Mutations;
import io.p2psync.testing.Mutations.Mutant;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * The Noise handshake and transport fed arbitrary and damaged bytes through the real pipeline (2-byte
 * length framing, handshake handler, transport codec) as either role. With fixed keys on both sides a
 * recorded exchange replays exactly, so damage can land in any of the three handshake messages or in a
 * transport frame. Whatever arrives, no exception leaves the pipeline, every inbound buffer is released, a
 * failed handshake fails with a {@link NoiseException} and closes the channel, and the application sees
 * only bytes that authenticated.
 */
class NoiseFuzzTest {

    private static final PrivateKey DIALER_ID = PrivateKey.fromSeed(filled(1));
    private static final PrivateKey LISTENER_ID = PrivateKey.fromSeed(filled(2));
    private static final byte[] DIALER_DATA = "hello from the dialer".getBytes(StandardCharsets.UTF_8);
    private static final byte[] LISTENER_DATA = "hello from the listener".getBytes(StandardCharsets.UTF_8);

    /** What the dialer sent in a good exchange (handshake messages 1 and 3, one transport frame), and the listener. */
    private static final byte[][] EXCHANGE = recordExchange();

    @Property(tries = 1000)
    void aListenerSurvivesAnyBytes(@ForAll("anyBytes") byte[] bytes, @ForAll @IntRange(min = 1, max = 48) int chunk) {
        Run run = listener();
        run.feed(bytes, chunk);
        assertThat(run.app.bytes()).isEmpty();
    }

    @Property(tries = 1000)
    void aListenerSurvivesADamagedDialer(@ForAll("damagedDialer") Mutant mutant,
            @ForAll @IntRange(min = 1, max = 200) int chunk) {
        Run run = listener();
        run.feed(mutant.bytes(), chunk);
        assertThat(run.app.bytes()).satisfiesAnyOf(b -> assertThat(b).isEmpty(), b -> assertThat(b).isEqualTo(DIALER_DATA));
    }

    @Property(tries = 1000)
    void aDialerSurvivesAnyBytes(@ForAll("anyBytes") byte[] bytes, @ForAll @IntRange(min = 1, max = 48) int chunk) {
        Run run = dialer();
        run.feed(bytes, chunk);
        assertThat(run.app.bytes()).isEmpty();
    }

    @Property(tries = 1000)
    void aDialerSurvivesADamagedListener(@ForAll("damagedListener") Mutant mutant,
            @ForAll @IntRange(min = 1, max = 200) int chunk) {
        Run run = dialer();
        run.feed(mutant.bytes(), chunk);
        assertThat(run.app.bytes()).satisfiesAnyOf(b -> assertThat(b).isEmpty(), b -> assertThat(b).isEqualTo(LISTENER_DATA));
    }

    @Test
    void theRecordedExchangeReplays() {
        Run listener = listener();
        listener.feed(EXCHANGE[0], EXCHANGE[0].length);
        assertThat(listener.app.bytes()).isEqualTo(DIALER_DATA);
        Run dialer = dialer();
        dialer.feed(EXCHANGE[1], 7);
        assertThat(dialer.app.bytes()).isEqualTo(LISTENER_DATA);
    }

    @Test
    void aFrameClaimingTheLargestLengthWaitsForItsBytesAndClosesCleanly() {
        Run run = listener();
        run.feed(new byte[] {(byte) 0xff, (byte) 0xff, 1, 2, 3}, 5);
    }

    private record Run(EmbeddedChannel channel, CompletableFuture<PeerId> result, Collector app) {

        void feed(byte[] bytes, int chunk) {
            List<ByteBuf> sent = new ArrayList<>();
            try {
                for (int at = 0; at < bytes.length && channel.isOpen(); at += chunk) {
                    ByteBuf piece = Unpooled.copiedBuffer(bytes, at, Math.min(chunk, bytes.length - at));
                    sent.add(piece);
                    channel.writeInbound(piece);
                    channel.checkException();
                    checkOutcome();
                }
                channel.close();
                channel.checkException();
                assertThat(result.isDone()).as("closing ends the handshake").isTrue();
                checkOutcome();
            } finally {
                channel.finishAndReleaseAll();
            }
            assertThat(sent).allSatisfy(b -> assertThat(b.refCnt()).as("inbound buffer released").isZero());
        }

        private void checkOutcome() {
            if (result.isCompletedExceptionally()) {
                assertThat(failure(result)).isInstanceOf(NoiseException.class);
                assertThat(channel.isOpen()).as("a failed handshake closes the channel").isFalse();
                assertThat(app.bytes()).isEmpty();
            }
        }
    }

    private static Run listener() {
        EmbeddedChannel channel = new EmbeddedChannel();
        Collector app = new Collector();
        CompletableFuture<PeerId> result = Noise.secure(channel.pipeline(), false, LISTENER_ID, Optional.empty(),
                listenerStatic(), listenerEphemeral(), p -> channel.pipeline().addLast(app));
        drainOutbound(channel);
        return new Run(channel, result, app);
    }

    private static Run dialer() {
        EmbeddedChannel channel = new EmbeddedChannel();
        Collector app = new Collector();
        CompletableFuture<PeerId> result = Noise.secure(channel.pipeline(), true, DIALER_ID,
                Optional.of(LISTENER_ID.peerId()), dialerStatic(), dialerEphemeral(), p -> channel.pipeline().addLast(app));
        drainOutbound(channel);
        return new Run(channel, result, app);
    }

    /** Runs a good handshake with the fixed keys, each side then sending its data, and records both directions. */
    private static byte[][] recordExchange() {
        EmbeddedChannel d = new EmbeddedChannel();
        EmbeddedChannel l = new EmbeddedChannel();
        Collector dApp = new Collector();
        Collector lApp = new Collector();
        Noise.secure(d.pipeline(), true, DIALER_ID, Optional.of(LISTENER_ID.peerId()), dialerStatic(), dialerEphemeral(),
                p -> d.pipeline().addLast(dApp));
        Noise.secure(l.pipeline(), false, LISTENER_ID, Optional.empty(), listenerStatic(), listenerEphemeral(),
                p -> l.pipeline().addLast(lApp));
        ByteArrayOutputStream fromDialer = new ByteArrayOutputStream();
        ByteArrayOutputStream fromListener = new ByteArrayOutputStream();
        boolean sentData = false;
        for (int round = 0; round < 10; round++) {
            move(d, l, fromDialer);
            move(l, d, fromListener);
            if (!sentData && d.pipeline().get(NoiseTransportCodec.class) != null
                    && l.pipeline().get(NoiseTransportCodec.class) != null) {
                d.writeAndFlush(Unpooled.wrappedBuffer(DIALER_DATA));
                l.writeAndFlush(Unpooled.wrappedBuffer(LISTENER_DATA));
                sentData = true;
            }
        }
        if (!Arrays.equals(lApp.bytes(), DIALER_DATA) || !Arrays.equals(dApp.bytes(), LISTENER_DATA)) {
            throw new AssertionError("the recorded exchange did not complete");
        }
        d.finishAndReleaseAll();
        l.finishAndReleaseAll();
        return new byte[][] {fromDialer.toByteArray(), fromListener.toByteArray()};
    }

    private static void move(EmbeddedChannel from, EmbeddedChannel to, ByteArrayOutputStream record) {
        for (Object msg = from.readOutbound(); msg != null; msg = from.readOutbound()) {
            ByteBuf buf = (ByteBuf) msg;
            record.writeBytes(ByteBufUtil.getBytes(buf));
            to.writeInbound(buf);
        }
    }

    private static void drainOutbound(EmbeddedChannel channel) {
        for (Object msg = channel.readOutbound(); msg != null; msg = channel.readOutbound()) {
            ReferenceCountUtil.release(msg);
        }
    }

    private static NoiseKeyPair dialerStatic() {
        return NoiseKeyPair.fromPrivateKey(filled(11));
    }

    private static NoiseKeyPair dialerEphemeral() {
        return NoiseKeyPair.fromPrivateKey(filled(12));
    }

    private static NoiseKeyPair listenerStatic() {
        return NoiseKeyPair.fromPrivateKey(filled(21));
    }

    private static NoiseKeyPair listenerEphemeral() {
        return NoiseKeyPair.fromPrivateKey(filled(22));
    }

    private static byte[] filled(int value) {
        byte[] out = new byte[32];
        Arrays.fill(out, (byte) value);
        return out;
    }

    @Provide
    Arbitrary<byte[]> anyBytes() {
        return Mutations.bytes(120);
    }

    @Provide
    Arbitrary<Mutant> damagedDialer() {
        return Mutations.of(List.of(EXCHANGE[0]));
    }

    @Provide
    Arbitrary<Mutant> damagedListener() {
        return Mutations.of(List.of(EXCHANGE[1]));
    }
}
