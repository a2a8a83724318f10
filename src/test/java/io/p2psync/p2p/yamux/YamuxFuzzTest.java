package io.p2psync.p2p.yamux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.p2psync.testing.Mutations;
import io.p2psync.testing.Mutations.Mutant;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * yamux fed arbitrary and damaged bytes: the frame codec alone (what it decodes re-encodes to exactly the
 * bytes it consumed; anything else is a {@link YamuxProtocolException}), and a whole responder session on an
 * {@link EmbeddedChannel} (no exception leaves the pipeline, every buffer is released, and a protocol error
 * ends the session with a go-away carrying PROTOCOL_ERROR before the connection closes).
 */
class YamuxFuzzTest {

    private static final HexFormat HEX = HexFormat.of();

    @Property(tries = 1000)
    void theCodecDecodesExactlyWhatItEncodes(@ForAll("anyOrDamaged") byte[] bytes,
            @ForAll @IntRange(min = 1, max = 40) int chunk) {
        EmbeddedChannel decoder = new EmbeddedChannel(new YamuxFrameCodec());
        EmbeddedChannel encoder = new EmbeddedChannel(new YamuxFrameCodec());
        ByteArrayOutputStream reencoded = new ByteArrayOutputStream();
        boolean refused = false;
        List<ByteBuf> sent = new ArrayList<>();
        try {
            for (int at = 0; at < bytes.length; at += chunk) {
                ByteBuf piece = Unpooled.copiedBuffer(bytes, at, Math.min(chunk, bytes.length - at));
                sent.add(piece);
                try {
                    decoder.writeInbound(piece); // rethrows what reached the end of the pipeline
                } catch (YamuxProtocolException e) {
                    refused = true;
                }
                for (YamuxFrame frame = decoder.readInbound(); frame != null; frame = decoder.readInbound()) {
                    encoder.writeOutbound(frame);
                    ByteBuf out = encoder.readOutbound();
                    reencoded.writeBytes(ByteBufUtil.getBytes(out));
                    out.release();
                }
            }
        } finally {
            decoder.finishAndReleaseAll();
            encoder.finishAndReleaseAll();
        }
        byte[] consumed = reencoded.toByteArray();
        assertThat(Arrays.copyOf(bytes, Math.min(bytes.length, consumed.length))).isEqualTo(consumed);
        if (!refused) {
            assertThat(bytes.length - consumed.length).as("only an incomplete frame is left over")
                    .isLessThan(YamuxFrameCodec.HEADER_LENGTH + YamuxFrameCodec.MAX_INBOUND_DATA_LENGTH);
        }
        assertThat(sent).allSatisfy(b -> assertThat(b.refCnt()).isZero());
    }

    @Property(tries = 1000)
    void aSessionSurvivesAnyOrDamagedFrames(@ForAll("anyOrDamaged") byte[] bytes,
            @ForAll @IntRange(min = 1, max = 40) int chunk) {
        List<StreamRecorder> streams = new ArrayList<>();
        EmbeddedChannel channel = new EmbeddedChannel(new YamuxHandler(false, stream -> {
            StreamRecorder recorder = new StreamRecorder();
            streams.add(recorder);
            stream.pipeline().addLast(recorder);
        }));
        List<ByteBuf> sent = new ArrayList<>();
        ByteArrayOutputStream answered = new ByteArrayOutputStream();
        boolean closedBySession = false;
        try {
            for (int at = 0; at < bytes.length && channel.isOpen(); at += chunk) {
                ByteBuf piece = Unpooled.copiedBuffer(bytes, at, Math.min(chunk, bytes.length - at));
                sent.add(piece);
                channel.writeInbound(piece);
                channel.runPendingTasks();
                channel.checkException();
                drain(channel, answered);
            }
            closedBySession = !channel.isOpen();
            channel.close();
            channel.runPendingTasks();
            channel.checkException();
            drain(channel, answered);
        } finally {
            channel.finishAndReleaseAll();
        }
        if (closedBySession) {
            byte[] out = answered.toByteArray();
            assertThat(out.length).isGreaterThanOrEqualTo(YamuxFrameCodec.HEADER_LENGTH);
            ByteBuffer last = ByteBuffer.wrap(out, out.length - YamuxFrameCodec.HEADER_LENGTH, YamuxFrameCodec.HEADER_LENGTH);
            assertThat(last.get(last.position() + 1)).as("the last frame is a go-away").isEqualTo((byte) YamuxType.GO_AWAY.code());
            assertThat(last.getInt(last.position() + 8)).isEqualTo(YamuxGoAwayCode.PROTOCOL_ERROR.code());
        }
        assertThat(sent).allSatisfy(b -> assertThat(b.refCnt()).as("inbound buffer released").isZero());
    }

    /**
     * Sequences of well-formed frames in any order (streams of either parity, data past the window, FIN, RST,
     * ACK for unknown streams, huge window updates, pings and go-aways) drive the session's state machine.
     */
    @Property(tries = 1000)
    void aSessionSurvivesAnySequenceOfWellFormedFrames(@ForAll("frameSequences") List<byte[]> frames) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        frames.forEach(all::writeBytes);
        aSessionSurvivesAnyOrDamagedFrames(all.toByteArray(), YamuxFrameCodec.HEADER_LENGTH);
    }

    @Test
    void aDataFrameClaimingFourGigabytesIsRefusedWithoutBuffering() {
        EmbeddedChannel decoder = new EmbeddedChannel(new YamuxFrameCodec());
        ByteBuf in = Unpooled.wrappedBuffer(HEX.parseHex("00000000" + "00000001" + "ffffffff" + "0102"));
        assertThatThrownBy(() -> decoder.writeInbound(in)).isInstanceOf(YamuxProtocolException.class)
                .hasMessageContaining("exceeds");
        assertThat(in.refCnt()).isZero();
        decoder.finishAndReleaseAll();
    }

    @Test
    void aDataFrameOneByteOverTheLimitIsRefused() {
        EmbeddedChannel decoder = new EmbeddedChannel(new YamuxFrameCodec());
        ByteBuf header = Unpooled.buffer(12).writeInt(0).writeInt(1).writeInt(YamuxFrameCodec.MAX_INBOUND_DATA_LENGTH + 1);
        assertThatThrownBy(() -> decoder.writeInbound(header)).isInstanceOf(YamuxProtocolException.class);
        decoder.finishAndReleaseAll();
    }

    private static void drain(EmbeddedChannel channel, ByteArrayOutputStream into) {
        for (Object msg = channel.readOutbound(); msg != null; msg = channel.readOutbound()) {
            ByteBuf buf = (ByteBuf) msg;
            into.writeBytes(ByteBufUtil.getBytes(buf));
            buf.release();
        }
    }

    @Provide
    Arbitrary<byte[]> anyOrDamaged() {
        return Arbitraries.oneOf(Mutations.bytes(100), Mutations.of(validSessions()).map(Mutant::bytes));
    }

    @Provide
    Arbitrary<List<byte[]>> frameSequences() {
        Arbitrary<Integer> streamId = Arbitraries.of(0, 1, 2, 3, 4, 5, -1, Integer.MIN_VALUE + 1);
        Arbitrary<Set<YamuxFlag>> flags = Arbitraries.subsetOf(YamuxFlag.values());
        Arbitrary<Long> value = Arbitraries.oneOf(Arbitraries.longs().between(0, 300_000),
                Arbitraries.of(0L, YamuxFrame.MAX_UINT32, (long) Integer.MAX_VALUE, YamuxHandler.INITIAL_WINDOW + 1L));
        Arbitrary<YamuxFrame> data = Combinators.combine(streamId, flags, Arbitraries.integers().between(0, 40))
                .as((id, f, n) -> YamuxFrame.data(id, f, Unpooled.wrappedBuffer(new byte[n])));
        Arbitrary<YamuxFrame> control = Combinators.combine(Arbitraries.of(YamuxType.WINDOW_UPDATE, YamuxType.PING,
                YamuxType.GO_AWAY), streamId, flags, value)
                .as((type, id, f, v) -> new YamuxFrame(YamuxFrame.VERSION, type, f, id, v, Unpooled.EMPTY_BUFFER));
        return Arbitraries.oneOf(data, control).map(f -> frames(f)).list().ofMinSize(1).ofMaxSize(12);
    }

    /** What a dialer's session might send: stream opens, data, FIN, RST, window updates, pings and go-away. */
    private static List<byte[]> validSessions() {
        return List.of(
                frames(YamuxFrame.windowUpdate(1, Set.of(YamuxFlag.SYN), 0),
                        YamuxFrame.data(1, Set.of(), text("hello")),
                        YamuxFrame.data(1, Set.of(YamuxFlag.FIN), Unpooled.EMPTY_BUFFER),
                        YamuxFrame.ping(YamuxFlag.SYN, 7),
                        YamuxFrame.windowUpdate(1, Set.of(), 1000)),
                frames(YamuxFrame.data(3, Set.of(YamuxFlag.SYN), text("abc")),
                        YamuxFrame.windowUpdate(3, Set.of(YamuxFlag.RST), 0),
                        YamuxFrame.ping(YamuxFlag.ACK, 1),
                        YamuxFrame.goAway(YamuxGoAwayCode.NORMAL)),
                frames(YamuxFrame.windowUpdate(5, Set.of(YamuxFlag.SYN), 0),
                        YamuxFrame.windowUpdate(7, Set.of(YamuxFlag.SYN), 0),
                        YamuxFrame.data(7, Set.of(YamuxFlag.FIN), text("x")),
                        YamuxFrame.data(5, Set.of(), text("y"))));
    }

    private static ByteBuf text(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
    }

    private static byte[] frames(YamuxFrame... frames) {
        EmbeddedChannel encoder = new EmbeddedChannel(new YamuxFrameCodec());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (YamuxFrame f : frames) {
            encoder.writeOutbound(f);
            drain(encoder, out);
        }
        encoder.finishAndReleaseAll();
        return out.toByteArray();
    }
}
