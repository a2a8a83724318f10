package io.p2psync.p2p.multistream;

import io.netty.channel.ChannelHandlerContext;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The listener's side: echoes the first supported proposal, answers {@code na} to everything else
 * (including {@code ls}, which the spec leaves optional).
 */
final class MultistreamResponder extends MultistreamNegotiator {

    /** Proposals declined before the peer is considered to be probing; then the channel closes. */
    static final int MAX_DECLINED = 32;

    private final Predicate<String> supported;
    private int declined;

    MultistreamResponder(Predicate<String> supported, Consumer<String> onAgreed) {
        super(onAgreed);
        this.supported = supported;
    }

    @Override
    void start(ChannelHandlerContext ctx) {
        ctx.writeAndFlush(Multistream.PROTOCOL_ID);
    }

    @Override
    void onLine(ChannelHandlerContext ctx, String line) {
        if (!line.isEmpty() && !line.equals(Multistream.PROTOCOL_ID) && supported.test(line)) {
            ctx.writeAndFlush(line);
            agree(ctx, line);
        } else if (++declined > MAX_DECLINED) {
            fail(ctx, "declined " + MAX_DECLINED + " proposals");
        } else {
            ctx.writeAndFlush(Multistream.NOT_AVAILABLE);
        }
    }
}
