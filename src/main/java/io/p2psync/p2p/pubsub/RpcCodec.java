package io.p2psync.p2p.pubsub;

import com.google.protobuf.InvalidProtocolBufferException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.MessageToMessageCodec;
import io.netty.handler.codec.TooLongFrameException;
import io.p2psync.p2p.pubsub.pb.RpcProto;
import java.util.List;

/**
 * Turns one length-delimited frame (already cut by {@code ProtobufVarint32FrameDecoder}) into an {@link Rpc}
 * and an {@link Rpc} into the bytes of one frame (prefixed by {@code ProtobufVarint32LengthFieldPrepender}).
 * Holds no state; a malformed frame raises a {@link CorruptedFrameException}.
 */
final class RpcCodec extends MessageToMessageCodec<ByteBuf, Rpc> {

    private final int maxFrameBytes;

    /** @param maxFrameBytes the largest encoded RPC this side writes; the peer would refuse a larger one */
    RpcCodec(int maxFrameBytes) {
        this.maxFrameBytes = maxFrameBytes;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Rpc rpc, List<Object> out) {
        byte[] bytes = RpcWire.toWire(rpc).toByteArray();
        if (bytes.length > maxFrameBytes) {
            throw new TooLongFrameException("RPC of " + bytes.length + " bytes exceeds the limit of " + maxFrameBytes);
        }
        out.add(Unpooled.wrappedBuffer(bytes));
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf frame, List<Object> out) {
        try {
            out.add(RpcWire.fromWire(RpcProto.RPC.parseFrom(frame.nioBuffer())));
        } catch (InvalidProtocolBufferException e) {
            throw new CorruptedFrameException("malformed RPC: " + e.getMessage(), e);
        }
    }
}
