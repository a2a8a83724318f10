package io.p2psync.p2p.quic;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.codec.quic.QuicHeaderParser;
import io.netty.handler.codec.quic.QuicPacketType;
import java.util.function.BiConsumer;

/**
 * Drops, with a logged reason, datagrams that cannot be QUIC v1 before they reach the codec, which would
 * drop them without a word: a header Netty's parser refuses, the fixed bit clear (RFC 9000 section 17), or an
 * Initial packet in a datagram under 1,200 bytes (section 14.1). Packets that are well formed but belong to no
 * connection are still dropped by quiche alone, as a TCP stack drops segments for no connection. One per
 * UDP socket, in front of the QUIC codec.
 */
final class DatagramGuard extends ChannelInboundHandlerAdapter {

    /** The smallest datagram that may carry a client's Initial packet (RFC 9000 section 14.1). */
    static final int MIN_INITIAL_DATAGRAM = 1200;
    private static final int FIXED_BIT = 0x40;

    private final QuicHeaderParser parser;
    private final boolean server;
    private final BiConsumer<String, String> refuse;

    /**
     * @param localConnectionIdLength the length of this side's connection ids, which short headers carry
     * @param server true on a listening socket: only there must an Initial packet fill 1,200 bytes
     * @param refuse given a kind and a line to log for each dropped datagram
     */
    DatagramGuard(int localConnectionIdLength, boolean server, BiConsumer<String, String> refuse) {
        this.parser = new QuicHeaderParser(localConnectionIdLength);
        this.server = server;
        this.refuse = refuse;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof DatagramPacket packet) {
            Problem problem = problem(packet);
            if (problem != null) {
                refuse.accept(problem.kind(), "dropped a UDP datagram of " + packet.content().readableBytes()
                        + " bytes from " + packet.sender() + " on " + ctx.channel().localAddress() + ": " + problem.text());
                packet.release();
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }

    /** Why a datagram is dropped; {@code kind} keys the log's rate limit, so each kind gets its own lines. */
    private record Problem(String kind, String text) {
    }

    private Problem problem(DatagramPacket packet) {
        ByteBuf content = packet.content();
        if (!content.isReadable()) {
            return new Problem("datagram-empty", "it is empty");
        }
        if ((content.getByte(content.readerIndex()) & FIXED_BIT) == 0) {
            return new Problem("datagram-fixed-bit", "not a QUIC v1 packet (its fixed bit is clear)");
        }
        Problem[] found = new Problem[1];
        int size = content.readableBytes();
        try {
            parser.parse(packet.sender(), packet.recipient(), content.duplicate(), (sender, recipient, buffer, type,
                    version, scid, dcid, token) -> {
                if (server && type == QuicPacketType.INITIAL && size < MIN_INITIAL_DATAGRAM) {
                    found[0] = new Problem("datagram-short-initial",
                            "an Initial packet in a datagram under " + MIN_INITIAL_DATAGRAM + " bytes");
                }
            });
        } catch (Exception e) {
            return new Problem("datagram-header", "not a QUIC packet (" + e.getMessage() + ")");
        }
        return found[0];
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        parser.close();
    }
}
