package io.p2psync.p2p.identify;

import static io.p2psync.testing.Futures.failure;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.core.PrivateKey;
import io.p2psync.p2p.core.UnsignedVarint;
import io.p2psync.p2p.host.P2pStream;
import io.p2psync.p2p.identify.pb.IdentifyProto;
import io.p2psync.testing.Mutations;
import io.p2psync.testing.Mutations.Mutant;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * The identify answer reader fed arbitrary and damaged bytes through the pipeline {@link IdentifyProtocol}
 * installs on an outbound stream (byte cap, varint framing, protobuf decoder, reader), on an
 * {@link EmbeddedChannel} standing in for the stream. Whatever arrives before the peer half-closes, the
 * answer completes with information whose key is the connected peer's, or fails with an
 * {@link IdentifyException}; no exception leaves the pipeline and every buffer is released.
 */
class IdentifyFuzzTest {

    private static final HexFormat HEX = HexFormat.of();
    private static final PrivateKey PEER_KEY = PrivateKey.fromSeed(new byte[32]);
    private static final PeerId PEER = PEER_KEY.peerId();
    private static final IdentifyInfo INFO = new IdentifyInfo(IdentifyInfo.DEFAULT_PROTOCOL_VERSION, "p2p-sync/test",
            PEER_KEY.publicKey(), List.of(HEX.parseHex("047f000001060fa1"), HEX.parseHex("04c0a8010a061f90a003")),
            HEX.parseHex("040a000001060fa1"), List.of(IdentifyProtocol.PROTOCOL_ID, "/ipfs/ping/1.0.0"));

    @Property(tries = 1000)
    void anAnswerOfAnyBytesIsReadOrRefused(@ForAll("anyBytes") byte[] bytes, @ForAll @IntRange(min = 1, max = 64) int chunk) {
        read(bytes, chunk);
    }

    @Property(tries = 1000)
    void aDamagedAnswerIsReadOrRefused(@ForAll("damagedAnswers") Mutant mutant, @ForAll @IntRange(min = 1, max = 64) int chunk) {
        read(mutant.bytes(), chunk);
    }

    @Property(tries = 500)
    void identifyInfoRoundTripsThroughItsWireForm(@ForAll("infos") IdentifyInfo info) throws Exception {
        IdentifyProto.Identify wire = IdentifyProto.Identify.parseFrom(info.toWire().toByteArray()).toBuilder().build();
        assertThat(IdentifyInfo.fromWire(wire, info.peerId())).isEqualTo(info);
        assertThat(IdentifyInfo.fromWire(wire.toBuilder().clearPublicKey().build(), info.peerId())).isEqualTo(info);
    }

    @Test
    void theUndamagedAnswerIsRead() {
        assertThat(read(answer(INFO), 5)).isEqualTo(INFO);
    }

    @Test
    void anAnswerClaimingGigabytesIsRefusedAfterTheByteCap() {
        byte[] bytes = new byte[IdentifyProtocol.MAX_MESSAGE_BYTES + 100];
        System.arraycopy(HEX.parseHex("ffffffff07"), 0, bytes, 0, 5);
        Throwable refused = failure(start().feed(bytes, 4096));
        assertThat(refused).isInstanceOf(IdentifyException.class).hasMessageContaining("exceeds");
    }

    private record Run(EmbeddedChannel channel, CompletableFuture<IdentifyInfo> result) {

        CompletableFuture<IdentifyInfo> feed(byte[] bytes, int chunk) {
            List<ByteBuf> sent = new ArrayList<>();
            try {
                for (int at = 0; at < bytes.length && channel.isOpen(); at += chunk) {
                    ByteBuf piece = Unpooled.copiedBuffer(bytes, at, Math.min(chunk, bytes.length - at));
                    sent.add(piece);
                    channel.writeInbound(piece);
                    channel.checkException();
                    check();
                }
                if (channel.isOpen()) {
                    channel.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
                    channel.checkException();
                }
                assertThat(result.isDone()).as("the peer's half-close ends the answer").isTrue();
                check();
            } finally {
                channel.finishAndReleaseAll();
            }
            assertThat(sent).allSatisfy(b -> assertThat(b.refCnt()).as("inbound buffer released").isZero());
            return result;
        }

        private void check() {
            if (result.isCompletedExceptionally()) {
                assertThat(failure(result)).isInstanceOf(IdentifyException.class);
                assertThat(channel.isOpen()).as("a refused answer closes the stream").isFalse();
            } else if (result.isDone()) {
                assertThat(result.join().peerId()).isEqualTo(PEER);
            }
        }
    }

    private static Run start() {
        EmbeddedChannel channel = new EmbeddedChannel();
        CompletableFuture<IdentifyInfo> result = new IdentifyProtocol(() -> INFO)
                .identify(new P2pStream(channel, PEER, IdentifyProtocol.PROTOCOL_ID, true));
        return new Run(channel, result);
    }

    private static IdentifyInfo read(byte[] bytes, int chunk) {
        CompletableFuture<IdentifyInfo> result = start().feed(bytes, chunk);
        return result.isCompletedExceptionally() ? null : result.join();
    }

    private static byte[] answer(IdentifyInfo info) {
        return framed(info.toWire().toByteArray());
    }

    private static byte[] framed(byte[]... messages) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] m : messages) {
            UnsignedVarint.write(m.length, out);
            out.writeBytes(m);
        }
        return out.toByteArray();
    }

    @Provide
    Arbitrary<byte[]> anyBytes() {
        return Mutations.bytes(100);
    }

    /** A whole answer; one without the key (the peer id inlines it); one split in two messages, as go-libp2p does. */
    @Provide
    Arbitrary<Mutant> damagedAnswers() {
        IdentifyProto.Identify full = INFO.toWire();
        byte[] first = full.toBuilder().clearProtocols().build().toByteArray();
        byte[] second = IdentifyProto.Identify.newBuilder().addAllProtocols(INFO.protocols()).build().toByteArray();
        return Mutations.of(List.of(
                answer(INFO),
                framed(full.toBuilder().clearPublicKey().build().toByteArray()),
                framed(first, second)));
    }

    @Provide
    Arbitrary<IdentifyInfo> infos() {
        Arbitrary<String> text = Arbitraries.strings().alpha().numeric().withChars("/.-_ é€").ofMaxLength(20);
        Arbitrary<List<byte[]>> addrs = Mutations.bytes(20).filter(b -> b.length > 0).list().ofMaxSize(3);
        Arbitrary<PrivateKey> keys = Arbitraries.integers().between(0, 255).map(i -> {
            byte[] seed = new byte[32];
            Arrays.fill(seed, (byte) (int) i);
            return PrivateKey.fromSeed(seed);
        });
        return Combinators.combine(text, text, keys, addrs, Mutations.bytes(20), text.list().ofMaxSize(4))
                .as((pv, agent, key, listen, observed, protocols) ->
                        new IdentifyInfo(pv, agent, key.publicKey(), listen, observed, protocols));
    }
}
