package io.p2psync.p2p.ping;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.FixedLengthFrameDecoder;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;

/**
 * The responder side of ping, as {@link PingProtocol#initStream} sets it up, fed arbitrary bytes in arbitrary
 * pieces: it echoes exactly the whole 32-byte payloads it received, in order, keeps a partial payload for
 * later, throws nothing and leaves no buffer unreleased.
 */
class PingFuzzTest {

    @Property(tries = 1000)
    void echoesExactlyTheWholePayloadsReceivedAndNothingElse(@ForAll @Size(max = 12) List<@Size(max = 100) byte[]> pieces) {
        EmbeddedChannel channel = new EmbeddedChannel(new FixedLengthFrameDecoder(PingProtocol.PAYLOAD_LENGTH),
                new PingResponder());
        ByteArrayOutputStream sent = new ByteArrayOutputStream();
        List<ByteBuf> inbound = new ArrayList<>();
        for (byte[] piece : pieces) {
            ByteBuf buf = Unpooled.buffer(piece.length).writeBytes(piece);
            inbound.add(buf);
            sent.writeBytes(piece);
            channel.writeInbound(buf);
        }

        ByteArrayOutputStream echoed = new ByteArrayOutputStream();
        for (ByteBuf out; (out = channel.readOutbound()) != null; ) {
            byte[] bytes = new byte[out.readableBytes()];
            out.readBytes(bytes);
            echoed.writeBytes(bytes);
            out.release();
        }
        int whole = sent.size() / PingProtocol.PAYLOAD_LENGTH * PingProtocol.PAYLOAD_LENGTH;
        byte[] expected = java.util.Arrays.copyOf(sent.toByteArray(), whole);
        assertThat(echoed.toByteArray()).isEqualTo(expected);
        channel.checkException();
        assertThat(channel.finishAndReleaseAll()).isFalse(); // nothing left inbound or outbound
        inbound.forEach(b -> assertThat(b.refCnt()).isZero());
    }
}
