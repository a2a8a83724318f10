package io.p2psync.p2p.multistream;

import io.netty.channel.ChannelHandlerContext;
import java.util.List;
import java.util.function.Consumer;

/** The dialer's side: proposes one protocol at a time and moves on after each {@code na}. */
final class MultistreamInitiator extends MultistreamNegotiator {

    private final List<String> protocols;
    private int proposed;

    MultistreamInitiator(List<String> protocols, Consumer<String> onAgreed) {
        super(onAgreed);
        this.protocols = List.copyOf(protocols);
    }

    @Override
    void start(ChannelHandlerContext ctx) {
        // The header and the first proposal go together, saving a round trip (as go and js do).
        ctx.write(Multistream.PROTOCOL_ID);
        ctx.writeAndFlush(protocols.get(0));
    }

    @Override
    void onLine(ChannelHandlerContext ctx, String line) {
        String proposal = protocols.get(proposed);
        if (line.equals(proposal)) {
            agree(ctx, proposal);
        } else if (line.equals(Multistream.NOT_AVAILABLE)) {
            if (++proposed == protocols.size()) {
                fail(ctx, "peer supports none of " + protocols, false);
            } else {
                ctx.writeAndFlush(protocols.get(proposed));
            }
        } else {
            fail(ctx, "answer to " + proposal + " was '" + abbreviate(line) + "'");
        }
    }
}
