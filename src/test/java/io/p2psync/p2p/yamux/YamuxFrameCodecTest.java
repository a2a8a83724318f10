package io.p2psync.p2p.yamux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class YamuxFrameCodecTest {

    private static final HexFormat HEX = HexFormat.of();

    static Stream<Arguments> frames() {
        return Stream.of(
                Arguments.of("data with SYN", "00000001000000030000000568656c6c6f",
                        YamuxFrame.data(3, Set.of(YamuxFlag.SYN), utf8("hello"))),
                Arguments.of("empty data with FIN", "000000040000000200000000",
                        YamuxFrame.data(2, Set.of(YamuxFlag.FIN), Unpooled.EMPTY_BUFFER)),
                Arguments.of("window update with ACK", "000100020000000100010000",
                        YamuxFrame.windowUpdate(1, Set.of(YamuxFlag.ACK), 65536)),
                Arguments.of("window update with RST", "000100080000000700000000",
                        YamuxFrame.windowUpdate(7, Set.of(YamuxFlag.RST), 0)),
                Arguments.of("window update with the largest delta and stream id", "00010000ffffffffffffffff",
                        YamuxFrame.windowUpdate(-1, Set.of(), 0xffff_ffffL)),
                Arguments.of("ping request", "00020001000000000000002a", YamuxFrame.ping(YamuxFlag.SYN, 42)),
                Arguments.of("ping response", "00020002000000000000002a", YamuxFrame.ping(YamuxFlag.ACK, 42)),
                Arguments.of("go-away, protocol error", "000300000000000000000001",
                        YamuxFrame.goAway(YamuxGoAwayCode.PROTOCOL_ERROR)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("frames")
    void encodesEveryFrameTypeToTheSpecHeader(String name, String hex, YamuxFrame frame) {
        EmbeddedChannel channel = new EmbeddedChannel(new YamuxFrameCodec());
        ByteBuf payload = frame.payload();

        assertThat(channel.writeOutbound(frame)).isTrue();
        ByteBuf encoded = channel.readOutbound();

        assertThat(ByteBufUtil.hexDump(encoded)).isEqualTo(hex);
        assertThat(encoded.release()).isTrue();
        assertReleased(payload);
        assertThat(channel.finish()).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("frames")
    void decodesEveryFrameTypeFromTheSpecHeader(String name, String hex, YamuxFrame expected) {
        EmbeddedChannel channel = new EmbeddedChannel(new YamuxFrameCodec());
        ByteBuf wire = Unpooled.wrappedBuffer(HEX.parseHex(hex));

        assertThat(channel.writeInbound(wire)).isTrue();
        YamuxFrame decoded = channel.readInbound();

        assertThat(decoded.type()).isEqualTo(expected.type());
        assertThat(decoded.flags()).isEqualTo(expected.flags());
        assertThat(decoded.streamId()).isEqualTo(expected.streamId());
        assertThat(decoded.length()).isEqualTo(expected.length());
        assertThat(ByteBufUtil.equals(decoded.payload(), expected.payload())).isTrue();
        decoded.release();
        expected.release();
        assertReleased(wire);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void decodesFramesSplitAcrossReadsAndSeveralFramesInOneRead() {
        EmbeddedChannel channel = new EmbeddedChannel(new YamuxFrameCodec());
        byte[] wire = HEX.parseHex("00000001000000030000000568656c6c6f" + "00020001000000000000002a");
        ByteBuf[] parts = new ByteBuf[wire.length];
        for (int i = 0; i < wire.length; i++) {
            parts[i] = Unpooled.wrappedBuffer(new byte[] {wire[i]});
            channel.writeInbound(parts[i]);
        }

        YamuxFrame data = channel.readInbound();
        YamuxFrame ping = channel.readInbound();

        assertThat(data.payload().toString(StandardCharsets.UTF_8)).isEqualTo("hello");
        assertThat(ping.type()).isEqualTo(YamuxType.PING);
        assertThat(ping.length()).isEqualTo(42);
        data.release();
        ping.release();
        for (ByteBuf part : parts) {
            assertReleased(part);
        }
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void rejectsAnUnknownVersionAndDiscardsWhatFollows() {
        assertRejected("01000000000000010000000000000001000000010000000568656c6c6f", "version 1");
    }

    @Test
    void rejectsAnUnknownType() {
        assertRejected("000400000000000000000000", "type 0x4");
    }

    @Test
    void rejectsUnknownFlags() {
        assertRejected("000100100000000100000000", "flags 0x10");
    }

    @Test
    void rejectsAnOversizedDataFrameBeforeBufferingIt() {
        assertRejected("0000000000000001" + String.format("%08x", YamuxFrameCodec.MAX_INBOUND_DATA_LENGTH + 1), "exceeds the limit");
    }

    @Test
    void enumsRejectUnknownWireCodes() {
        assertThat(YamuxType.fromCode(3)).isEqualTo(YamuxType.GO_AWAY);
        assertThatThrownBy(() -> YamuxType.fromCode(0xff)).isInstanceOf(YamuxProtocolException.class);
        assertThat(YamuxFlag.fromBits(0x5)).containsExactlyInAnyOrder(YamuxFlag.SYN, YamuxFlag.FIN);
        assertThatThrownBy(() -> YamuxFlag.fromBits(0x8000)).isInstanceOf(YamuxProtocolException.class);
        assertThat(YamuxGoAwayCode.describe(2)).isEqualTo("INTERNAL_ERROR");
        assertThat(YamuxGoAwayCode.describe(9)).isEqualTo("unknown(9)");
    }

    @Test
    void frameRejectsAPayloadThatDoesNotMatchItsType() {
        ByteBuf payload = utf8("x");
        assertThatThrownBy(() -> new YamuxFrame(0, YamuxType.PING, Set.of(), 0, 1, payload))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new YamuxFrame(0, YamuxType.DATA, Set.of(), 1, 2, payload))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new YamuxFrame(1, YamuxType.DATA, Set.of(), 1, 1, payload))
                .isInstanceOf(YamuxProtocolException.class);
        payload.release();
    }

    private static void assertRejected(String hex, String reason) {
        EmbeddedChannel channel = new EmbeddedChannel(new YamuxFrameCodec());
        ByteBuf wire = Unpooled.wrappedBuffer(HEX.parseHex(hex));

        assertThatThrownBy(() -> channel.writeInbound(wire))
                .isInstanceOf(YamuxProtocolException.class)
                .hasMessageContaining(reason);
        ByteBuf more = Unpooled.wrappedBuffer(HEX.parseHex("00020001000000000000002a"));
        channel.writeInbound(more);

        assertThat((Object) channel.readInbound()).as("nothing is decoded after a protocol error").isNull();
        assertReleased(wire);
        assertReleased(more);
        channel.finishAndReleaseAll();
    }

    private static void assertReleased(ByteBuf buf) {
        if (buf == Unpooled.EMPTY_BUFFER) {
            return; // the shared empty buffer is never freed, by design
        }
        assertThat(buf.refCnt()).as("refCnt of %s", buf).isZero();
    }

    private static ByteBuf utf8(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
    }
}
