package io.p2psync.p2p.mdns;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.p2psync.p2p.core.PeerId;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/** The mDNS socket's pipeline: datagrams to DNS messages and back, then {@link MdnsHandler}. */
final class MdnsChannelInitializer extends ChannelInitializer<Channel> {

    private final MdnsConfig config;
    private final String peerName;
    private final PeerId self;
    private final Supplier<List<String>> ownAddrs;
    private final PeerDiscoveryListener listener;
    private final LongSupplier nanoClock;

    MdnsChannelInitializer(MdnsConfig config, String peerName, PeerId self, Supplier<List<String>> ownAddrs,
                           PeerDiscoveryListener listener) {
        this(config, peerName, self, ownAddrs, listener, System::nanoTime);
    }

    MdnsChannelInitializer(MdnsConfig config, String peerName, PeerId self, Supplier<List<String>> ownAddrs,
                           PeerDiscoveryListener listener, LongSupplier nanoClock) {
        this.config = config;
        this.peerName = peerName;
        this.self = self;
        this.ownAddrs = ownAddrs;
        this.listener = listener;
        this.nanoClock = nanoClock;
    }

    @Override
    protected void initChannel(Channel ch) {
        ch.pipeline().addLast(
                new MdnsPacketCodecs.ResponseDecoder(),
                new MdnsPacketCodecs.QueryDecoder(),
                new MdnsPacketCodecs.QueryEncoder(),
                new MdnsPacketCodecs.ResponseEncoder(),
                new MdnsHandler(config, peerName, self, ownAddrs, listener, nanoClock));
    }
}
