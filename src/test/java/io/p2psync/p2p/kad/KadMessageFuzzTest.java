package io.p2psync.p2p.kad;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.p2psync.p2p.core.Multiaddr;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.core.PrivateKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * The server side of a DHT stream (codec and responder, as {@link KadProtocol} installs them) fed arbitrary,
 * damaged and oversized bytes on an {@link EmbeddedChannel} standing in for the stream: a well-formed request is
 * answered, anything else resets the stream (the channel closes); no exception leaves the pipeline and every
 * buffer is released.
 */
class KadMessageFuzzTest {

    private static final PeerId ASKER = PrivateKey.fromSeed(new byte[32]).peerId();
    private static final PeerId OTHER = PrivateKey.fromSeed(filled(7)).peerId();
    private static final int MAX = 4096;

    /** Answers every request with one peer, so that an answer proves a request was read whole. */
    private static final KadRequests ANSWERS = (from, request) -> Optional.of(new KadMessage(request.type(),
            request.key(), null, List.of(new KadPeer(OTHER, List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/4001")), null)),
            null));

    @Test
    void aWellFormedRequestIsAnsweredAndTheStreamStaysOpen() {
        EmbeddedChannel ch = server();
        ch.writeInbound(frame(KadMessage.findNode(OTHER)));
        KadMessage answer = readAnswer(ch);
        assertThat(answer.type()).isEqualTo(MessageType.FIND_NODE);
        assertThat(answer.closerPeers()).extracting(KadPeer::id).containsExactly(OTHER);
        assertThat(ch.isOpen()).isTrue();
        ch.writeInbound(frame(new KadMessage(MessageType.PING, null, null, null, null)));
        assertThat(readAnswer(ch).type()).isEqualTo(MessageType.PING);
        ch.finishAndReleaseAll();
    }

    @Test
    void anUnknownMessageTypeResetsTheStream() {
        // field 1 (type) = 9: no such type in the spec
        assertResetWithoutAnswer(HexFormat.of().parseHex("020809"));
    }

    @Test
    void aFrameLongerThanTheLimitResetsTheStreamBeforeItArrives() {
        ByteBuf length = Unpooled.buffer();
        int n = MAX + 1;
        length.writeByte((n & 0x7f) | 0x80).writeByte(n >>> 7);
        EmbeddedChannel ch = server();
        ch.writeInbound(length);
        assertThat(ch.isOpen()).isFalse();
        ch.finishAndReleaseAll();
    }

    @Test
    void aPeerWithABadIdResetsTheStream() {
        // closerPeers (8) { id (1) = 3 bytes that are no multihash }
        assertResetWithoutAnswer(HexFormat.of().parseHex("0908044205" + "0a03010203"));
    }

    @Test
    void aRequestThatBreaksTheRulesResetsTheStream() {
        EmbeddedChannel ch = server((from, request) -> {
            throw new KadException("no");
        });
        ch.writeInbound(frame(KadMessage.findNode(OTHER)));
        assertThat((Object) ch.readOutbound()).isNull();
        assertThat(ch.isOpen()).isFalse();
        ch.finishAndReleaseAll();
    }

    @Property(tries = 1000)
    void anyBytesAreAnsweredOrResetNeverThrown(@ForAll("anyBytes") byte[] bytes,
            @ForAll @IntRange(min = 1, max = 64) int chunk) {
        EmbeddedChannel ch = server();
        feed(ch, bytes, chunk);
        List<KadMessage> answers = drain(ch);
        // Either the stream was reset, or every answer is a well-formed message of a type the spec defines.
        assertThat(answers).allSatisfy(a -> assertThat(a.type()).isNotNull());
        ch.finishAndReleaseAll();
    }

    @Property(tries = 1000)
    void damagedRequestsAreAnsweredOrResetNeverThrown(@ForAll("damaged") byte[] bytes,
            @ForAll @IntRange(min = 1, max = 64) int chunk) {
        EmbeddedChannel ch = server();
        feed(ch, bytes, chunk);
        drain(ch);
        ch.finishAndReleaseAll();
    }

    @Provide
    Arbitrary<byte[]> anyBytes() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
    }

    @Provide
    Arbitrary<byte[]> damaged() {
        byte[] good = frame(new KadMessage(MessageType.GET_PROVIDERS, OTHER.bytes(), null,
                List.of(new KadPeer(OTHER, List.of(Multiaddr.parse("/ip4/10.0.0.1/udp/4001/quic-v1")), null)), null))
                .array();
        return Arbitraries.integers().between(0, good.length - 1).list().ofMinSize(1).ofMaxSize(4)
                .flatMap(positions -> Arbitraries.bytes().list().ofSize(positions.size()).map(values -> {
                    byte[] out = good.clone();
                    for (int i = 0; i < positions.size(); i++) {
                        out[positions.get(i)] = values.get(i);
                    }
                    return out;
                }));
    }

    private static void assertResetWithoutAnswer(byte[] bytes) {
        EmbeddedChannel ch = server();
        ch.writeInbound(Unpooled.wrappedBuffer(bytes));
        assertThat((Object) ch.readOutbound()).isNull();
        assertThat(ch.isOpen()).isFalse();
        ch.finishAndReleaseAll();
    }

    private static EmbeddedChannel server() {
        return server(ANSWERS);
    }

    private static EmbeddedChannel server(KadRequests answers) {
        return new EmbeddedChannel(new KadCodec(MAX), new KadResponder(ASKER, answers, Duration.ofMinutes(1)));
    }

    private static void feed(EmbeddedChannel ch, byte[] bytes, int chunk) {
        for (int off = 0; off < bytes.length && ch.isOpen(); off += chunk) {
            ch.writeInbound(Unpooled.copiedBuffer(bytes, off, Math.min(chunk, bytes.length - off)));
        }
    }

    private static List<KadMessage> drain(EmbeddedChannel ch) {
        List<KadMessage> out = new ArrayList<>();
        EmbeddedChannel reader = new EmbeddedChannel(new KadCodec(1 << 20));
        ByteBuf written;
        while ((written = ch.readOutbound()) != null) {
            reader.writeInbound(written);
        }
        KadMessage m;
        while ((m = reader.readInbound()) != null) {
            out.add(m);
        }
        reader.finishAndReleaseAll();
        return out;
    }

    private static KadMessage readAnswer(EmbeddedChannel ch) {
        List<KadMessage> answers = drain(ch);
        assertThat(answers).hasSize(1);
        return answers.get(0);
    }

    static ByteBuf frame(KadMessage m) {
        EmbeddedChannel encoder = new EmbeddedChannel(new KadCodec(1 << 20));
        encoder.writeOutbound(m);
        ByteBuf out = Unpooled.buffer();
        ByteBuf part;
        while ((part = encoder.readOutbound()) != null) {
            out.writeBytes(part);
            part.release();
        }
        encoder.finishAndReleaseAll();
        return out;
    }

    private static byte[] filled(int b) {
        byte[] seed = new byte[32];
        java.util.Arrays.fill(seed, (byte) b);
        return seed;
    }
}
