package io.p2psync.p2p.kad;

import com.google.protobuf.InvalidProtocolBufferException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageCodec;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.p2psync.p2p.core.VarintPrefix;
import io.p2psync.p2p.kad.pb.KadProto;
import java.io.IOException;
import java.util.List;

/**
 * Turns a stream's bytes into {@link KadMessage}s and back: each message is a protobuf prefixed with its length
 * as an unsigned varint (kad-dht spec, "RPC messages"). A frame longer than the limit, a length that is not a
 * varint of at most 5 bytes, and a message that does not parse fail the stream with a {@link DecoderException}
 * whose cause is a {@link KadException} or Netty's frame exception; nothing of it reaches the handler.
 */
final class KadCodec extends ByteToMessageCodec<KadMessage> {

    private final int maxMessageBytes;

    KadCodec(int maxMessageBytes) {
        this.maxMessageBytes = maxMessageBytes;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, KadMessage msg, ByteBuf out) {
        byte[] body = msg.toWire().toByteArray();
        if (body.length > maxMessageBytes) {
            throw new IllegalArgumentException("DHT message of " + body.length + " bytes is over " + maxMessageBytes);
        }
        int n = body.length;
        while ((n & ~0x7f) != 0) {
            out.writeByte((n & 0x7f) | 0x80);
            n >>>= 7;
        }
        out.writeByte(n);
        out.writeBytes(body);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws KadException {
        in.markReaderIndex();
        long length = VarintPrefix.read(in, 5);
        if (length < 0) {
            return;
        }
        if (length > maxMessageBytes) {
            throw new TooLongFrameException("DHT message of " + length + " bytes is over " + maxMessageBytes);
        }
        if (in.readableBytes() < length) {
            in.resetReaderIndex();
            return;
        }
        ByteBuf frame = in.readSlice((int) length);
        KadProto.Message wire;
        try {
            wire = KadProto.Message.parseFrom(new ByteBufInputStream(frame));
        } catch (InvalidProtocolBufferException e) {
            throw new KadException("malformed DHT message: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new KadException("unreadable DHT message: " + e.getMessage(), e);
        }
        out.add(KadMessage.fromWire(wire));
    }
}
