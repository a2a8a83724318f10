package io.p2psync.p2p.multistream;

import static io.p2psync.testing.Futures.failure;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.p2psync.p2p.core.UnsignedVarint;
import io.p2psync.p2p.testing.Collector;
import io.p2psync.testing.Mutations;
import io.p2psync.testing.Mutations.Mutant;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * multistream-select fed arbitrary and damaged bytes through the real negotiation pipeline on an
 * {@link EmbeddedChannel}, as either role. Whatever arrives, no exception leaves the pipeline, every inbound
 * buffer is released, and the negotiation ends in one of three ways: still waiting, agreed on a protocol the
 * listener supports, or failed with a {@link MultistreamException} and the channel closed.
 */
class MultistreamFuzzTest {

    private static final Set<String> SUPPORTED = Set.of("/noise", "/yamux/1.0.0");

    @Property(tries = 1000)
    void aListenerSurvivesAnyBytes(@ForAll("anyBytes") byte[] bytes, @ForAll @IntRange(min = 1, max = 16) int chunk) {
        listenerGets(bytes, chunk);
    }

    @Property(tries = 1000)
    void aListenerSurvivesDamagedProposals(@ForAll("damagedProposals") Mutant mutant,
            @ForAll @IntRange(min = 1, max = 64) int chunk) {
        listenerGets(mutant.bytes(), chunk);
    }

    @Property(tries = 1000)
    void aDialerSurvivesAnyBytes(@ForAll("anyBytes") byte[] bytes, @ForAll @IntRange(min = 1, max = 16) int chunk) {
        dialerGets(bytes, chunk);
    }

    @Property(tries = 1000)
    void aDialerSurvivesDamagedAnswers(@ForAll("damagedAnswers") Mutant mutant,
            @ForAll @IntRange(min = 1, max = 64) int chunk) {
        dialerGets(mutant.bytes(), chunk);
    }

    @Test
    void aMessageClaimingGigabytesFailsTheNegotiationAtOnce() {
        EmbeddedChannel channel = new EmbeddedChannel();
        CompletableFuture<String> result = Multistream.respond(channel.pipeline(), SUPPORTED::contains,
                p -> channel.pipeline().addLast(new Collector()));
        ByteBuf in = Unpooled.wrappedBuffer(HexFormat.of().parseHex("ffffffff07" + "2f6d756c"));

        channel.writeInbound(in);

        assertThat(result).isCompletedExceptionally();
        assertThat(channel.isOpen()).isFalse();
        assertThat(in.refCnt()).isZero();
        channel.finishAndReleaseAll();
    }

    @Test
    void aMessageOneByteOverTheLimitFailsTheNegotiation() {
        EmbeddedChannel channel = new EmbeddedChannel();
        CompletableFuture<String> result = Multistream.respond(channel.pipeline(), SUPPORTED::contains,
                p -> channel.pipeline().addLast(new Collector()));

        channel.writeInbound(Unpooled.wrappedBuffer(UnsignedVarint.encode(Multistream.MAX_MESSAGE_LENGTH + 1)));

        assertThat(result).isCompletedExceptionally();
        assertThat(channel.isOpen()).isFalse();
        channel.finishAndReleaseAll();
    }

    private static void listenerGets(byte[] bytes, int chunk) {
        EmbeddedChannel channel = new EmbeddedChannel();
        Collector app = new Collector();
        CompletableFuture<String> result = Multistream.respond(channel.pipeline(), SUPPORTED::contains,
                p -> channel.pipeline().addLast(app));
        feed(channel, bytes, chunk, result);
        if (result.isDone() && !result.isCompletedExceptionally()) {
            assertThat(SUPPORTED).contains(result.join());
        }
    }

    private static void dialerGets(byte[] bytes, int chunk) {
        EmbeddedChannel channel = new EmbeddedChannel();
        Collector app = new Collector();
        CompletableFuture<String> result = Multistream.initiate(channel.pipeline(), List.of("/noise", "/yamux/1.0.0"),
                p -> channel.pipeline().addLast(app));
        feed(channel, bytes, chunk, result);
        if (result.isDone() && !result.isCompletedExceptionally()) {
            assertThat(SUPPORTED).contains(result.join());
        }
    }

    /** Writes {@code bytes} in pieces of {@code chunk} and checks the invariants after each piece. */
    private static void feed(EmbeddedChannel channel, byte[] bytes, int chunk, CompletableFuture<String> result) {
        List<ByteBuf> sent = new ArrayList<>();
        try {
            for (int at = 0; at < bytes.length && channel.isOpen(); at += chunk) {
                ByteBuf piece = Unpooled.copiedBuffer(bytes, at, Math.min(chunk, bytes.length - at));
                sent.add(piece);
                channel.writeInbound(piece);
                channel.checkException();
                if (result.isCompletedExceptionally()) {
                    assertThat(failure(result)).isInstanceOf(MultistreamException.class);
                    assertThat(channel.isOpen()).as("a failed negotiation closes the channel").isFalse();
                }
            }
            channel.close();
            channel.checkException();
            assertThat(result.isDone()).as("closing ends the negotiation").isTrue();
            if (result.isCompletedExceptionally()) {
                assertThat(failure(result)).isInstanceOf(MultistreamException.class);
            }
        } finally {
            channel.finishAndReleaseAll();
            for (Object out = channel.readOutbound(); out != null; out = channel.readOutbound()) {
                ReferenceCountUtil.release(out);
            }
        }
        assertThat(sent).allSatisfy(b -> assertThat(b.refCnt()).as("inbound buffer released").isZero());
    }

    @Provide
    Arbitrary<byte[]> anyBytes() {
        return Mutations.bytes(80);
    }

    /** What a dialer sends: the header, a declined proposal, then an accepted one and the first protocol bytes. */
    @Provide
    Arbitrary<Mutant> damagedProposals() {
        return Mutations.of(List.of(
                messages(Multistream.PROTOCOL_ID, "/tls/1.0.0", "/noise"),
                messages(Multistream.PROTOCOL_ID, "ls", "/yamux/1.0.0"),
                concat(messages(Multistream.PROTOCOL_ID, "/noise"), new byte[] {0, 32, 1, 2, 3})));
    }

    /** What a listener answers: the header, {@code na} to the first proposal, then agreement on the second. */
    @Provide
    Arbitrary<Mutant> damagedAnswers() {
        return Mutations.of(List.of(
                messages(Multistream.PROTOCOL_ID, "/noise"),
                messages(Multistream.PROTOCOL_ID, Multistream.NOT_AVAILABLE, "/yamux/1.0.0"),
                concat(messages(Multistream.PROTOCOL_ID, "/noise"), new byte[] {0, 32, 1, 2, 3})));
    }

    private static byte[] messages(String... lines) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String line : lines) {
            byte[] text = (line + "\n").getBytes(StandardCharsets.UTF_8);
            UnsignedVarint.write(text.length, out);
            out.writeBytes(text);
        }
        return out.toByteArray();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
