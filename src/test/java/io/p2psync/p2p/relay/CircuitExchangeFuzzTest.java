package io.p2psync.p2p.relay;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.embedded.EmbeddedChannel;
import io.p2psync.p2p.core.UnsignedVarint;
import io.p2psync.p2p.relay.pb.CircuitProto.HopMessage;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/**
 * The framing and parsing of hop and stop messages on any input: a well-formed message is handed on whole, bytes
 * after it are kept for whoever takes the stream over, and anything else ends in a reset stream, never an exception
 * out of the pipeline.
 */
class CircuitExchangeFuzzTest {

    /** Parses each message as a HopMessage, like the relay's hop side, and records it. */
    private static class Recorder extends CircuitExchange {
        final List<HopMessage> messages = new ArrayList<>();
        final List<String> failures = new ArrayList<>();

        @Override
        void onMessage(ChannelHandlerContext ctx, byte[] message) throws InvalidProtocolBufferException {
            messages.add(HopMessage.parseFrom(message));
        }

        @Override
        void failed(ChannelHandlerContext ctx, String reason) {
            failures.add(reason);
        }

        @Override
        String protocolName() {
            return "test exchange";
        }
    }

    private static ByteBuf framed(byte[] body) {
        return Unpooled.wrappedBuffer(UnsignedVarint.encode(body.length), body);
    }

    @Property(tries = 500)
    void arbitraryBytesNeverEscapeThePipeline(@ForAll @Size(max = 64) List<@Size(max = 300) byte[]> chunks) {
        Recorder recorder = new Recorder();
        EmbeddedChannel channel = new EmbeddedChannel(recorder);
        for (byte[] chunk : chunks) {
            if (!channel.isOpen()) {
                break;
            }
            channel.writeInbound(Unpooled.wrappedBuffer(chunk));
        }
        channel.checkException(); // throws if anything reached the end of the pipeline as an exception
        if (!channel.isOpen()) {
            assertThat(recorder.failures).isNotEmpty();
        }
        channel.finishAndReleaseAll();
    }

    @Test
    void aMessageSplitAcrossReadsIsHandedOnWhole() {
        Recorder recorder = new Recorder();
        EmbeddedChannel channel = new EmbeddedChannel(recorder);
        byte[] body = HopMessage.newBuilder().setType(HopMessage.Type.RESERVE).build().toByteArray();
        ByteBuf frame = framed(body);
        while (frame.isReadable()) {
            channel.writeInbound(frame.readRetainedSlice(1));
        }
        frame.release();

        assertThat(recorder.messages).singleElement().extracting(HopMessage::getType).isEqualTo(HopMessage.Type.RESERVE);
        assertThat(channel.isOpen()).isTrue();
        channel.finishAndReleaseAll();
    }

    @Test
    void bytesAfterTheLastMessageGoToWhoeverTakesTheStreamOver() {
        Recorder recorder = new Recorder() {
            @Override
            void onMessage(ChannelHandlerContext ctx, byte[] message) throws InvalidProtocolBufferException {
                super.onMessage(ctx, message);
                handOver(ctx);
            }
        };
        EmbeddedChannel channel = new EmbeddedChannel(recorder);
        byte[] body = HopMessage.newBuilder().setType(HopMessage.Type.STATUS).build().toByteArray();
        channel.writeInbound(Unpooled.wrappedBuffer(framed(body), Unpooled.wrappedBuffer("noise bytes".getBytes())));

        ByteBuf passed = channel.readInbound();
        assertThat(passed.toString(java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("noise bytes");
        passed.release();
        assertThat(channel.pipeline().get(Recorder.class)).isNull();
        channel.finishAndReleaseAll();
    }

    @Test
    void aLengthAboveTheLimitResetsTheStream() {
        Recorder recorder = new Recorder();
        EmbeddedChannel channel = new EmbeddedChannel(recorder);
        channel.writeInbound(Unpooled.wrappedBuffer(UnsignedVarint.encode(CircuitRelay.MAX_MESSAGE_SIZE + 1)));

        assertThat(channel.isOpen()).isFalse();
        assertThat(recorder.failures).singleElement().asString().contains("above the limit");
        assertThat(recorder.messages).isEmpty();
        channel.finishAndReleaseAll();
    }
}
