package io.p2psync.p2p.noise;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageCodec;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Noise transport messages after the handshake: decrypts each inbound frame, and encrypts outbound
 * bytes in chunks of at most {@link #MAX_PLAINTEXT} so that each ciphertext fits one 2-byte-length
 * frame. Framing is the LengthFieldBasedFrameDecoder and LengthFieldPrepender around it.
 *
 * <p>A frame that fails authentication leaves the two nonce counters out of step for good, so the
 * connection is closed with a logged reason.
 */
final class NoiseTransportCodec extends MessageToMessageCodec<ByteBuf, ByteBuf> {

    private static final Logger log = LoggerFactory.getLogger(NoiseTransportCodec.class);
    private static final byte[] NO_AD = new byte[0];

    /** The largest plaintext per transport message: the 65535-byte message minus its tag. */
    static final int MAX_PLAINTEXT = Noise.MAX_MESSAGE_LENGTH - CipherState.TAG_LENGTH;

    private final CipherState sender;
    private final CipherState receiver;
    private boolean broken;

    NoiseTransportCodec(CipherState sender, CipherState receiver) {
        this.sender = sender;
        this.receiver = receiver;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, ByteBuf msg, List<Object> out) {
        if (!msg.isReadable()) {
            return;
        }
        byte[] plaintext = ByteBufUtil.getBytes(msg);
        for (int at = 0; at < plaintext.length; at += MAX_PLAINTEXT) {
            int length = Math.min(MAX_PLAINTEXT, plaintext.length - at);
            out.add(Unpooled.wrappedBuffer(sender.encryptWithAd(NO_AD, plaintext, at, length)));
        }
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf frame, List<Object> out) {
        if (broken) {
            return;
        }
        byte[] ciphertext = ByteBufUtil.getBytes(frame);
        try {
            byte[] plaintext = receiver.decryptWithAd(NO_AD, ciphertext, 0, ciphertext.length);
            if (plaintext.length > 0) {
                out.add(Unpooled.wrappedBuffer(plaintext));
            }
        } catch (NoiseException e) {
            broken = true;
            log.warn("closing {}: {}", ctx.channel(), e.getMessage());
            ctx.close();
        }
    }
}
