package io.p2psync.p2p.mdns;

import io.netty.channel.AddressedEnvelope;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.dns.DnsMessage;
import io.netty.handler.codec.dns.DnsQuery;
import io.netty.handler.codec.dns.DnsResponse;
import io.p2psync.p2p.core.PeerId;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The discovery state on a decoded mDNS socket: answers peers questions with our addresses and reports
 * every other peer announced in a response. Malformed packets are logged and dropped; the socket stays open.
 */
final class MdnsHandler extends SimpleChannelInboundHandler<DnsMessage> {

    private static final Logger log = LoggerFactory.getLogger(MdnsHandler.class);
    /**
     * RFC 6762 §6: a record is multicast at most once a second on an interface. Our answer goes to the
     * group, so everyone who asked within that second has heard it; a flood of questions costs one
     * answer a second.
     */
    static final long MIN_RESPONSE_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final MdnsConfig config;
    private final String peerName;
    private final PeerId self;
    private final Supplier<List<String>> ownAddrs;
    private final PeerDiscoveryListener listener;
    private final LongSupplier nanoClock;
    private long lastResponseNanos;
    private boolean responded;

    MdnsHandler(MdnsConfig config, String peerName, PeerId self, Supplier<List<String>> ownAddrs,
                PeerDiscoveryListener listener) {
        this(config, peerName, self, ownAddrs, listener, System::nanoTime);
    }

    /**
     * @param ownAddrs our current listen addresses, each ending in {@code /p2p/<self>}; asked at every
     *     question, and an empty list means we stay silent
     * @param nanoClock monotonic time in nanoseconds (tests move it by hand)
     */
    MdnsHandler(MdnsConfig config, String peerName, PeerId self, Supplier<List<String>> ownAddrs,
                PeerDiscoveryListener listener, LongSupplier nanoClock) {
        this.config = config;
        this.peerName = peerName;
        this.self = self;
        this.ownAddrs = ownAddrs;
        this.listener = listener;
        this.nanoClock = nanoClock;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DnsMessage msg) {
        if (msg instanceof DnsResponse) {
            onResponse(msg, sender(msg));
        } else if (msg instanceof DnsQuery && MdnsMessages.asksForPeers(msg, config.serviceName())) {
            List<String> addrs = ownAddrs.get();
            if (!addrs.isEmpty() && mayRespond()) {
                ctx.writeAndFlush(MdnsMessages.response(config.serviceName(), peerName, addrs, config.group(), ctx.alloc()))
                        .addListener(f -> {
                            if (!f.isSuccess()) {
                                log.debug("could not send mDNS response: {}", f.cause().toString());
                            }
                        });
            }
        }
    }

    private boolean mayRespond() {
        long now = nanoClock.getAsLong();
        if (responded && now - lastResponseNanos < MIN_RESPONSE_INTERVAL_NANOS) {
            return false;
        }
        responded = true;
        lastResponseNanos = now;
        return true;
    }

    private void onResponse(DnsMessage response, Object sender) {
        List<DiscoveredPeer> peers;
        try {
            peers = MdnsMessages.peersIn(response, config.serviceName(), peerName);
        } catch (MdnsFormatException e) {
            log.warn("dropped mDNS response from {}: {}", sender, e.getMessage());
            return;
        }
        for (DiscoveredPeer peer : peers) {
            if (peer.peerId().equals(self)) {
                continue; // our own id under another name: a second node with our key, or a replay
            }
            try {
                listener.peerDiscovered(peer);
            } catch (RuntimeException e) {
                log.warn("mDNS listener failed for {}", peer.peerId(), e);
            }
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A packet Netty's DNS codec could not read: drop it and keep listening.
        log.warn("dropped malformed mDNS packet: {}", cause.toString());
    }

    private static Object sender(DnsMessage msg) {
        return msg instanceof AddressedEnvelope<?, ?> e && e.sender() instanceof InetSocketAddress a ? a : "?";
    }
}
