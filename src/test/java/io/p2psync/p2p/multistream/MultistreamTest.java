package io.p2psync.p2p.multistream;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.p2psync.p2p.testing.ChannelPair;
import io.p2psync.p2p.testing.Collector;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MultistreamTest {

    private static final HexFormat HEX = HexFormat.of();

    private final EmbeddedChannel dialer = new EmbeddedChannel();
    private final EmbeddedChannel listener = new EmbeddedChannel();
    private final ChannelPair pair = new ChannelPair(dialer, listener);
    private final Collector dialerProtocol = new Collector();
    private final Collector listenerProtocol = new Collector();

    @AfterEach
    void releaseWhatIsLeft() {
        dialer.finishAndReleaseAll();
        listener.finishAndReleaseAll();
    }

    private CompletableFuture<String> initiate(String... protocols) {
        return Multistream.initiate(dialer.pipeline(), List.of(protocols), p -> dialer.pipeline().addLast(dialerProtocol));
    }

    private CompletableFuture<String> respond(String... protocols) {
        return Multistream.respond(listener.pipeline(), Set.of(protocols)::contains,
                p -> listener.pipeline().addLast(listenerProtocol));
    }

    @Test
    void agreesOnTheFirstProtocolBothSupportAndHandsOverThePipeline() {
        CompletableFuture<String> initiated = initiate("/noise");
        CompletableFuture<String> responded = respond("/noise", "/tls/1.0.0");

        pair.pump();

        assertThat(initiated).isCompletedWithValue("/noise");
        assertThat(responded).isCompletedWithValue("/noise");
        assertThat(dialer.pipeline().toMap().values()).containsExactly(dialerProtocol);
        assertThat(listener.pipeline().get(MultistreamNegotiator.class)).isNull();
        assertThat(pair.allDeliveredReleased()).isTrue();
        assertThat(dialer.finishAndReleaseAll()).isFalse();
        assertThat(listener.finishAndReleaseAll()).isFalse();
    }

    @Test
    void triesTheNextProposalAfterNa() {
        CompletableFuture<String> initiated = initiate("/yamux/2.0.0", "/mplex/6.7.0", "/yamux/1.0.0");
        CompletableFuture<String> responded = respond("/yamux/1.0.0");

        pair.pump();

        assertThat(initiated).isCompletedWithValue("/yamux/1.0.0");
        assertThat(responded).isCompletedWithValue("/yamux/1.0.0");
        assertThat(pair.allDeliveredReleased()).isTrue();
    }

    @Test
    void failsAndClosesWhenThePeerSupportsNoneOfTheProposals() {
        CompletableFuture<String> initiated = initiate("/a", "/b");
        CompletableFuture<String> responded = respond("/c");

        pair.pump();

        assertThat(initiated).isCompletedExceptionally();
        assertThat(dialer.isOpen()).isFalse();
        assertThat(responded).isNotDone();
        listener.close();
        assertThat(responded).isCompletedExceptionally();
        assertThat(pair.allDeliveredReleased()).isTrue();
    }

    @Test
    void writesTheSpecBytes() {
        initiate("/noise");
        // varint length 0x13 + "/multistream/1.0.0\n", then 0x07 + "/noise\n"
        assertThat(HEX.formatHex(ChannelPair.drain(dialer)))
                .isEqualTo("13" + HEX.formatHex("/multistream/1.0.0\n".getBytes()) + "07" + HEX.formatHex("/noise\n".getBytes()));

        respond("/noise");
        listener.writeInbound(Unpooled.wrappedBuffer(HEX.parseHex("13" + HEX.formatHex("/multistream/1.0.0\n".getBytes())
                + "03" + HEX.formatHex("ls\n".getBytes()) + "07" + HEX.formatHex("/noise\n".getBytes()))));
        assertThat(new String(ChannelPair.drain(listener), StandardCharsets.UTF_8))
                .isEqualTo("\u0013/multistream/1.0.0\n\u0003na\n\u0007/noise\n");
    }

    @Test
    void passesBytesThatFollowTheLastMessageToTheAgreedProtocol() {
        CompletableFuture<String> responded = respond("/echo/1.0.0");
        ChannelPair.drain(listener);
        byte[] header = "\u0013/multistream/1.0.0\n\u000c/echo/1.0.0\n".getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[header.length + 5];
        System.arraycopy(header, 0, all, 0, header.length);
        System.arraycopy("hello".getBytes(), 0, all, header.length, 5);

        listener.writeInbound(Unpooled.wrappedBuffer(all));

        assertThat(responded).isCompletedWithValue("/echo/1.0.0");
        assertThat(new String(listenerProtocol.bytes())).isEqualTo("hello");
        assertThat(listener.finishAndReleaseAll()).isTrue(); // the echoed header and agreement
    }

    @Test
    void closesOnAWrongHeader() {
        CompletableFuture<String> responded = respond("/noise");
        listener.writeInbound(Unpooled.wrappedBuffer("\u0013/multistream/2.0.0\n".getBytes()));
        assertThat(responded).isCompletedExceptionally();
        assertThat(listener.isOpen()).isFalse();
    }

    @Test
    void closesOnAMessageWithoutNewline() {
        CompletableFuture<String> responded = respond("/noise");
        var in = Unpooled.wrappedBuffer("\u0013/multistream/1.0.0!".getBytes());
        listener.writeInbound(in);
        assertThat(responded).isCompletedExceptionally();
        assertThat(listener.isOpen()).isFalse();
        assertThat(in.refCnt()).isZero();
    }

    @Test
    void closesOnAnOversizedMessage() {
        CompletableFuture<String> responded = respond("/noise");
        var in = Unpooled.buffer().writeBytes(HEX.parseHex("ffff03")).writeZero(100);
        listener.writeInbound(in);
        assertThat(responded).isCompletedExceptionally();
        assertThat(listener.isOpen()).isFalse();
        assertThat(in.refCnt()).isZero();
    }

    @Test
    void givesUpWhenThePeerStaysSilent() {
        CompletableFuture<String> initiated = initiate("/noise");
        dialer.advanceTimeBy(Multistream.NEGOTIATION_TIMEOUT.toMillis() + 1, TimeUnit.MILLISECONDS);
        dialer.runScheduledPendingTasks();
        assertThat(initiated).isCompletedExceptionally();
        assertThat(dialer.isOpen()).isFalse();
    }
}
