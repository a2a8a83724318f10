package io.p2psync.p2p.quic;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.quic.QuicTokenHandler;
import java.net.InetSocketAddress;

/**
 * Accepts every new connection at its first flight, without a Retry round trip for address validation, as
 * js-libp2p's QUIC listener does by default: the peers are a person's own devices, and what a spoofed
 * address can make this node send is bounded by QUIC's three-times amplification limit. Handshakes under
 * way are not counted against the host's connection limits (those apply once a handshake is done), so a
 * flood of Initial packets from spoofed addresses costs handshake state until each one times out.
 */
final class NoTokens implements QuicTokenHandler {

    static final NoTokens INSTANCE = new NoTokens();

    private NoTokens() {
    }

    @Override
    public boolean writeToken(ByteBuf out, ByteBuf dcid, InetSocketAddress address) {
        return false;
    }

    @Override
    public int validateToken(ByteBuf token, InetSocketAddress address) {
        return 0;
    }

    @Override
    public int maxTokenLength() {
        return 0;
    }
}
